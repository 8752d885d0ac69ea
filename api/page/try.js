// The try-it page: asks the API what model it serves, and classifies the pasted paper.
'use strict';

function modelLabel(model) {
  const version = model.version === null ? 'unregistered run' : `v${model.version}`;
  return `${model.name} ${version} (run ${model.runId.slice(0, 8)}, embedder ${model.embedderVersion})`;
}

function show(id, visible) {
  document.getElementById(id).hidden = !visible;
}

async function describeModel() {
  const target = document.getElementById('model');
  try {
    const response = await fetch('/v1/model');
    const body = await response.json();
    target.textContent = response.ok ? `Serving ${modelLabel(body.model)}, chosen by ${body.chosenBy}` : body.message;
  } catch (error) {
    target.textContent = `The API did not answer: ${error.message}`;
  }
}

function renderRanking(top) {
  const list = document.getElementById('ranking');
  list.replaceChildren(
    ...top.map(({ category, probability }) => {
      const item = document.createElement('li');
      const name = document.createElement('span');
      name.textContent = category;
      const bar = document.createElement('span');
      bar.className = 'bar';
      bar.style.width = `${Math.max(1, Math.round(probability * 100))}%`;
      const share = document.createElement('span');
      share.className = 'share';
      share.textContent = `${(probability * 100).toFixed(1)}%`;
      item.append(name, bar, share);
      return item;
    }),
  );
}

async function classify(event) {
  event.preventDefault();
  const button = document.getElementById('submit');
  button.disabled = true;
  show('error', false);
  try {
    const top = document.getElementById('top').value;
    const response = await fetch(`/v1/predict?top=${encodeURIComponent(top)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        title: document.getElementById('title').value,
        abstract: document.getElementById('abstract').value,
      }),
    });
    const body = await response.json();
    if (!response.ok) throw new Error(body.message);
    const [prediction] = body.predictions;
    document.getElementById('category').textContent = prediction.category;
    renderRanking(prediction.top);
    document.getElementById('answered-by').textContent =
      `Answered by ${modelLabel(body.model)} · request ${body.requestId}`;
    show('result', true);
  } catch (error) {
    const target = document.getElementById('error');
    target.textContent = error.message;
    show('error', true);
  } finally {
    button.disabled = false;
  }
}

document.addEventListener('DOMContentLoaded', () => {
  document.getElementById('paper').addEventListener('submit', classify);
  void describeModel();
});
