/* bench:api's report: the load table, the shares it aims at, the prediction log's counts, our own work, the JSON line. */
import type { ModelFamily } from '../lib/model/family';
import type { Figures } from './api-load';
import { CONNECTIONS, SECONDS, WARM_UP_SECONDS, WORKERS } from './api-settings';
import type { StageMicroseconds } from './measure-own-work';
import type { BenchModelOwnWork } from './own-work-of-bench-models';

/** What went through the prediction log: appended by the API processes, stored by the drainer. */
export interface LogFigures {
  appended: number;
  backlog: number;
  stored: number;
  duplicates: number;
  depth: number;
}

export interface OwnWorkRow {
  family: ModelFamily;
  /** Medians of µs per paper: embed, classify, the whole predict; and the log's document (hash, descriptors, BSON). */
  perPaperUs: StageMicroseconds & { logRecord: number; ownWork: number };
}

export type OwnWorkFigures = OwnWorkRow[];

/** bench:api's own-work rows: each bench model's medians, the log's document, and their sum. */
export function ownWorkRows(measured: readonly BenchModelOwnWork[]): OwnWorkFigures {
  return measured.map(({ family, perPaperUs, logDocumentUs }) => {
    const logRecord = logDocumentUs!;
    return { family, perPaperUs: { ...perPaperUs, logRecord, ownWork: perPaperUs.total + logRecord } };
  });
}

function printOwnWork(rows: OwnWorkFigures): void {
  console.log('\nour own work per paper, one paper per call (median µs), outside HTTP:');
  const table = [['family', 'embed', 'classify', 'predict', 'log document', 'own work']];
  for (const row of rows) {
    const us = row.perPaperUs;
    table.push([
      row.family,
      us.embed.toFixed(1),
      us.classify.toFixed(1),
      us.total.toFixed(1),
      us.logRecord.toFixed(1),
      us.ownWork.toFixed(1),
    ]);
  }
  const widths = table[0]!.map((_, c) => Math.max(...table.map((line) => line[c]!.length)));
  for (const line of table)
    console.log(line.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('   '));
  console.log('(aim: own work ≤ 100 µs per paper)');
}

/** The name of a POST /v1/predict target: papers per request, the log on or off, the server's workers. */
export const predictLabel = (papersPerRequest: number, log: string, workers: number) =>
  `POST /v1/predict, ${papersPerRequest} paper${papersPerRequest > 1 ? 's' : ''}, log ${log}, ${workers} worker${workers > 1 ? 's' : ''}`;

/** Prints the table of every target, the shares bench:api aims at, the log's counts, our own work, then the JSON line. */
export function reportApiBench(
  figures: Figures[],
  papers: number,
  logged: LogFigures,
  ownWork: OwnWorkFigures | null,
  peerModel: string | null,
): void {
  const find = (prefix: string) => figures.find((figure) => figure.target.startsWith(prefix));
  const bareRoute = figures[0]!;
  const on1 = find(predictLabel(1, 'on', 1))!;
  const off1 = find(predictLabel(1, 'off', 1))!;
  const onN = find(predictLabel(1, 'on', WORKERS));
  const offN = find(predictLabel(1, 'off', WORKERS));
  const peer = figures.find((figure) => figure.target.includes('(peer)'));
  const rows = [['', 'req/s', 'papers/s', 'p50 ms', 'p99 ms', 'requests', 'failed']];
  for (const f of figures)
    rows.push([
      f.target,
      f.requestsPerSecond.toFixed(0),
      f.papersPerSecond.toFixed(0),
      f.p50Ms.toFixed(1),
      f.p99Ms.toFixed(1),
      String(f.requests),
      String(f.failed),
    ]);
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((row) => row[c]!.length)));
  console.log(
    `\nautocannon -c ${CONNECTIONS}, ${SECONDS} s per target after ${WARM_UP_SECONDS} s of warm-up, on ${papers} real abstracts; tfidf-linear unless said`,
  );
  for (const row of rows)
    console.log(row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('   '));
  const best = onN && onN.requestsPerSecond > on1.requestsPerSecond ? onN : on1;
  const logShare = on1.requestsPerSecond / off1.requestsPerSecond;
  const logShareN = onN && offN ? onN.requestsPerSecond / offN.requestsPerSecond : null;
  const paused = figures.find((figure) => figure.target.endsWith('drainer paused (drained after)'));
  const pausedShare = paused ? paused.requestsPerSecond / off1.requestsPerSecond : null;
  const overPeer = peer ? best.requestsPerSecond / peer.requestsPerSecond : null;
  console.log(
    `log on / log off: ${(logShare * 100).toFixed(1)}% with 1 worker${logShareN === null ? '' : `, ${(logShareN * 100).toFixed(1)}% with ${WORKERS}`} (aim ≥ 80%)` +
      `${pausedShare === null ? '' : `, ${(pausedShare * 100).toFixed(1)}% with the drainer paused`}; ` +
      `${overPeer === null ? '' : `${overPeer.toFixed(1)}× the MLflow peer (aim ≥ 20×); `}p99 ${best.p99Ms.toFixed(1)} ms log on (aim < 30 ms)`,
  );
  console.log(
    `prediction log: ${logged.appended} appended to Redis by the API (${logged.backlog} left in backlogs), ${logged.stored} stored in MongoDB by the drainer (${logged.duplicates} duplicates skipped), ${logged.depth} left in the stream`,
  );
  if (ownWork) printOwnWork(ownWork);
  console.log(
    JSON.stringify({
      connections: CONNECTIONS,
      seconds: SECONDS,
      workers: WORKERS,
      targets: figures,
      bareRequestsPerSecond: bareRoute.requestsPerSecond,
      logOnShareOfLogOff: logShare,
      logOnShareOfLogOffWorkers: logShareN,
      logOnDrainerPausedShareOfLogOff: pausedShare,
      workersSpeedup: onN ? onN.requestsPerSecond / on1.requestsPerSecond : null,
      predictOverMlflowPeer: overPeer,
      bestP99Ms: best.p99Ms,
      peerModel,
      predictionLog: logged,
      ownWork,
    }),
  );
}
