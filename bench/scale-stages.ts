import { basename } from 'node:path';
import { runCli, startCli, stop } from './mlops-cli';
import { freePort } from './free-port';
import type { ProcessWatch } from './process-watch';
import { note } from './scale-settings';

/** One row of the report: a stage's time, papers and peak memory per process. */
export interface StageRow {
  stage: string;
  seconds: number;
  papers: number;
  detail: string;
  rss: Record<string, number>;
}

interface IngestSummaryLine {
  accepted: number;
  embedded: number;
  newPapers?: number;
  revised?: number;
  unchanged?: number;
  seconds: number;
  balanced: boolean;
}

/** Ingests the files in turn (`mlops run ingest`), one row each. */
export async function ingestAll(
  files: string[],
  env: NodeJS.ProcessEnv,
  watch: ProcessWatch,
  rows: StageRow[],
  prefix: string,
  consumers: number,
  fitsEmbedder = false,
): Promise<void> {
  for (const [index, file] of files.entries()) {
    const stage = `${prefix}ingest ${basename(file).replace(/\.jsonl\.gz$/, '')}`;
    note(`${stage}…`);
    watch.enter(stage);
    const summary = await runCli<IngestSummaryLine>(
      ['run', 'ingest', '--source', `file:${file}`, '--embed-consumers', String(consumers)],
      env,
    );
    if (!summary.balanced) throw new Error(`${stage}: the counts do not balance`);
    rows.push({
      stage,
      seconds: summary.seconds,
      papers: summary.accepted,
      detail: `new ${summary.newPapers ?? '?'} / revised ${summary.revised ?? '?'} / unchanged ${summary.unchanged ?? '?'}${fitsEmbedder && index === 0 ? ' (fits the embedder first)' : ''}`,
      rss: watch.peaksOf(stage),
    });
  }
}

/** Trains on the papers published until `trainUntil` (`mlops run train`). */
export async function trainStage(env: NodeJS.ProcessEnv, watch: ProcessWatch, trainUntil: string): Promise<StageRow> {
  note(`train on the papers published until ${trainUntil}…`);
  watch.enter('train');
  const trained = await runCli<{
    trainRows: number;
    validationRows: number;
    testRows: number;
    accuracy: number;
    macroF1: number;
    classes: string[];
    seconds: number;
  }>(['run', 'train', '--until', trainUntil], env);
  const trainedPapers = trained.trainRows + trained.validationRows + trained.testRows;
  return {
    stage: `train (until ${trainUntil})`,
    seconds: trained.seconds,
    papers: trainedPapers,
    detail: `${trained.classes.length} classes, test accuracy ${trained.accuracy.toFixed(4)}, macro-F1 ${trained.macroF1.toFixed(3)}`,
    rss: watch.peaksOf('train'),
  };
}

/** Monitors the 2025–2026 papers against the trained model (`mlops run monitor`, no retraining). */
export async function monitorStage(env: NodeJS.ProcessEnv, watch: ProcessWatch): Promise<StageRow> {
  note('monitor the 2025–2026 papers…');
  watch.enter('monitor');
  const started = performance.now();
  const monitored = await runCli<{
    window: { found: number; compared: number };
    seconds: number;
    drift: boolean;
    qualityAlert: boolean;
  }>(['run', 'monitor', '--current', 'window:2025-01-01..2026-12-31', '--by', 'published', '--no-retrain'], env);
  return {
    stage: 'monitor 2025–2026',
    seconds: (performance.now() - started) / 1000,
    papers: monitored.window.found,
    detail: `${monitored.window.compared} compared (fixed sample) of ${monitored.window.found}; workflow ${monitored.seconds.toFixed(1)} s; drift ${monitored.drift}, quality alert ${monitored.qualityAlert}`,
    rss: watch.peaksOf('monitor'),
  };
}

/** Single-paper predictions through the API (`mlops api`), 8 at a time. */
export async function predictThroughApi(
  env: NodeJS.ProcessEnv,
  watch: ProcessWatch,
  papers: Array<{ title: string; abstract: string }>,
): Promise<StageRow> {
  const port = await freePort();
  const api = await startCli(['api', '--port', String(port), '--log-level', 'warn'], env, /api listening on/);
  watch.watch('API', api.pid);
  try {
    watch.enter('serve');
    const started = performance.now();
    const latencies: number[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < papers.length) {
          const paper = papers[next++]!;
          const sent = performance.now();
          const response = await fetch(`http://127.0.0.1:${port}/v1/predict`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(paper),
          });
          if (!response.ok) throw new Error(`predict answered ${response.status}: ${await response.text()}`);
          await response.arrayBuffer();
          latencies.push(performance.now() - sent);
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    latencies.sort((a, b) => a - b);
    const p = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!.toFixed(1);
    return {
      stage: 'serve',
      seconds,
      papers: papers.length,
      detail: `${papers.length} single-paper predictions, 8 at a time: p50 ${p(0.5)} ms, p99 ${p(0.99)} ms`,
      rss: watch.peaksOf('serve'),
    };
  } finally {
    watch.forget('API');
    await stop(api);
  }
}

/** The first `count` valid papers of a snapshot file. */
export async function samplePapers(file: string, count: number): Promise<Array<{ title: string; abstract: string }>> {
  const { readSnapshot } = await import('../lib/arxiv/snapshot');
  const papers: Array<{ title: string; abstract: string }> = [];
  for await (const line of readSnapshot(file)) {
    if (line.item.ok) papers.push({ title: line.item.record.title, abstract: line.item.record.abstract });
    if (papers.length >= count) break;
  }
  return papers;
}
