import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolveFromRoot } from '../lib/config/paths';
import { note } from './api-settings';
import { freePort } from './free-port';

async function waitForPing(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`mlflow models serve exited with code ${child.exitCode}`);
    const ok = await fetch(`${url}/ping`).then(
      (response) => response.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`mlflow models serve did not answer /ping within ${timeoutMs / 1000} s`);
}

/**
 * Trains the scikit-learn peer (TF-IDF + LinearSVC) on `train`, saves it as an MLflow model in `dir`
 * and serves it with `mlflow models serve`, resolved once it answers /ping.
 */
export async function startMlflowPeer(
  python: string,
  train: Array<{ title: string; abstract: string; label: string }>,
  dir: string,
): Promise<{ child: ChildProcess; url: string; model: string; vocabulary: number }> {
  const input = join(dir, 'train.json');
  writeFileSync(input, JSON.stringify(train));
  const modelDir = join(dir, 'peer-model');
  note('training the scikit-learn peer and saving it as an MLflow model…');
  const trained = spawnSync(python, [resolveFromRoot('bench/api_peer_mlflow.py'), input, modelDir], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (trained.status !== 0) throw new Error(`the peer's training exited with code ${trained.status}`);
  const peer = JSON.parse(trained.stdout.trim().split('\n').pop()!) as { model: string; vocabulary: number };
  const port = await freePort();
  const venvBin = resolveFromRoot('.venv/bin');
  note(`starting mlflow models serve on port ${port} (1 worker, the default)…`);
  const child = spawn(
    join(venvBin, 'mlflow'),
    ['models', 'serve', '-m', modelDir, '-h', '127.0.0.1', '-p', String(port), '--env-manager', 'local'],
    {
      env: {
        ...process.env,
        PATH: `${venvBin}:${process.env.PATH ?? ''}`,
        MLFLOW_ALLOW_PICKLE_DESERIALIZATION: 'true',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
      detached: true,
    },
  );
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-4_000)));
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForPing(url, child, 180_000);
  } catch (error) {
    process.stderr.write(stderr);
    throw error;
  }
  return { child, url, model: peer.model, vocabulary: peer.vocabulary };
}
