/*
 * `npm run bench:drift`: the whole monitoring step — per-column and dataset drift, embedding drift,
 * prediction drift, the HTML report — on 10,000 × 384 reference and current rows (+ a prediction
 * column), against Evidently's legacy and current DataDriftPreset with save_html on the same CSVs
 * in the same run. Progress goes to stderr; the last stdout line is a JSON summary.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { resolveFromRoot } from '../lib/config/paths';
import { parseCsv } from '../lib/drift/csv';
import { LegacyRandomState } from '../lib/drift/numpy-random';
import { analyze, monitorMapping, renderReport } from '../lib/monitoring';

const ROWS = 10_000;
const DIMENSIONS = 384;
const CLASSES = ['cs.AI', 'cs.CL', 'cs.CV', 'cs.IR', 'cs.LG', 'cs.SD', 'eess.AS', 'eess.SP', 'math.NA', 'stat.ML'];
const OUT = resolveFromRoot('.data', 'bench', 'drift');
const PYTHON = resolveFromRoot('.venv-evidently', 'bin', 'python');

function note(message: string): void {
  process.stderr.write(`[bench:drift] ${message}\n`);
}

/** Gaussian columns, a fifth of them shifted in the current data, and a prediction whose mix changes. */
function writeData(path: string, seed: number, shifted: boolean): void {
  if (existsSync(path)) return;
  const random = new LegacyRandomState(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - random.rand())) * Math.cos(2 * Math.PI * random.rand());
  const header = [...Array.from({ length: DIMENSIONS }, (_, d) => `emb_${d}`), 'prediction'].join(',');
  const lines = [header];
  for (let r = 0; r < ROWS; r += 1) {
    const values = Array.from({ length: DIMENSIONS }, (_, d) =>
      (0.05 * (normal() + (shifted && d % 5 === 0 ? 0.3 : 0))).toPrecision(7),
    );
    const classIndex = Math.floor(random.rand() * (shifted ? CLASSES.length - 2 : CLASSES.length));
    lines.push([...values, CLASSES[classIndex]!].join(','));
  }
  writeFileSync(path, `${lines.join('\n')}\n`);
}

interface EvidentlyFigures {
  version: string;
  legacy: {
    computeSeconds: number;
    htmlSeconds: number;
    reportBytes: number;
    verdicts: Record<string, boolean>;
    datasetDrift: boolean;
  };
  current: { computeSeconds: number; htmlSeconds: number; reportBytes: number };
}

function runEvidently(reference: string, current: string): Promise<EvidentlyFigures> {
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, [resolveFromRoot('bench', 'drift_peer_evidently.py'), reference, current, OUT], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0
        ? resolve(JSON.parse(out.trim().split('\n').pop()!) as EvidentlyFigures)
        : reject(new Error(`Evidently exited with code ${code}`)),
    );
  });
}

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
const seconds = (value: number) => `${value.toFixed(2)} s`;

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const referencePath = join(OUT, 'reference.csv');
  const currentPath = join(OUT, 'current.csv');
  note(`writing ${ROWS} × ${DIMENSIONS} reference and current rows (cached in ${OUT})…`);
  writeData(referencePath, 1, false);
  writeData(currentPath, 2, true);

  note('our engine…');
  const parseStarted = performance.now();
  const reference = parseCsv(readFileSync(referencePath, 'utf8'), referencePath);
  const current = parseCsv(readFileSync(currentPath, 'utf8'), currentPath);
  const parseSeconds = (performance.now() - parseStarted) / 1000;
  const started = performance.now();
  const { mapping, embedding } = monitorMapping(reference, current);
  mapping.prediction = 'prediction';
  const analysis = analyze(reference, current, { mapping, embedding });
  const analyzed = performance.now();
  const reportPath = join(OUT, 'ours.html');
  const html = renderReport(analysis, {
    title: 'bench:drift',
    generatedAt: new Date().toISOString(),
    reference: referencePath,
    current: currentPath,
    links: [],
  });
  writeFileSync(reportPath, html);
  const done = performance.now();
  const ours = {
    computeSeconds: (analyzed - started) / 1000,
    htmlSeconds: (done - analyzed) / 1000,
    totalSeconds: (done - started) / 1000,
    parseSeconds,
    reportBytes: statSync(reportPath).size,
    timings: analysis.timings,
  };

  let evidently: EvidentlyFigures | null = null;
  if (existsSync(PYTHON)) {
    note(`Evidently (${PYTHON}); this takes a minute or two…`);
    evidently = await runEvidently(referencePath, currentPath);
  } else {
    note(`no ${PYTHON}: run \`npm run setup\` to measure Evidently in the same run`);
  }

  let agreement: { columns: number; agreed: number; datasetAgreed: boolean } | null = null;
  if (evidently) {
    const verdicts = evidently.legacy.verdicts;
    const agreed = analysis.data.columns.filter((result) => verdicts[result.column] === result.drifted).length;
    agreement = {
      columns: Object.keys(verdicts).length,
      agreed,
      datasetAgreed: evidently.legacy.datasetDrift === analysis.data.datasetDrift,
    };
  }
  const legacyTotal = evidently ? evidently.legacy.computeSeconds + evidently.legacy.htmlSeconds : null;
  const currentTotal = evidently ? evidently.current.computeSeconds + evidently.current.htmlSeconds : null;

  const rows: Array<[string, string, string, string, string]> = [
    ['', 'compute', 'HTML report', 'total', 'report size'],
    [
      'ours',
      seconds(ours.computeSeconds),
      seconds(ours.htmlSeconds),
      seconds(ours.totalSeconds),
      mib(ours.reportBytes),
    ],
  ];
  if (evidently) {
    rows.push([
      'Evidently legacy',
      seconds(evidently.legacy.computeSeconds),
      seconds(evidently.legacy.htmlSeconds),
      seconds(legacyTotal!),
      mib(evidently.legacy.reportBytes),
    ]);
    rows.push([
      'Evidently current',
      seconds(evidently.current.computeSeconds),
      seconds(evidently.current.htmlSeconds),
      seconds(currentTotal!),
      mib(evidently.current.reportBytes),
    ]);
  }
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((row) => row[c]!.length)));
  process.stdout.write(`\nDrift monitoring, ${ROWS} × ${DIMENSIONS} + prediction, reference vs current\n`);
  for (const row of rows)
    process.stdout.write(
      `  ${row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('   ')}\n`,
    );
  process.stdout.write(
    `  ours also: parsing both CSVs ${seconds(parseSeconds)}; embedding drift (domain classifier) and the 2-D projection are included in compute\n`,
  );
  if (evidently && agreement) {
    process.stdout.write(
      `  speed: ${(legacyTotal! / ours.totalSeconds).toFixed(1)}× Evidently legacy, ${(currentTotal! / ours.totalSeconds).toFixed(1)}× current; ` +
        `report ${(evidently.legacy.reportBytes / ours.reportBytes).toFixed(1)}× / ${(evidently.current.reportBytes / ours.reportBytes).toFixed(1)}× smaller\n`,
    );
    process.stdout.write(
      `  verdicts: ${agreement.agreed}/${agreement.columns} columns agree with Evidently ${evidently.version}; dataset verdict ${agreement.datasetAgreed ? 'agrees' : 'differs'}\n`,
    );
  }
  process.stdout.write(
    `${JSON.stringify(
      {
        rows: ROWS,
        dimensions: DIMENSIONS,
        ours,
        evidently,
        ratios: evidently
          ? {
              speedVsLegacy: legacyTotal! / ours.totalSeconds,
              speedVsCurrent: currentTotal! / ours.totalSeconds,
              sizeVsLegacy: evidently.legacy.reportBytes / ours.reportBytes,
              sizeVsCurrent: evidently.current.reportBytes / ours.reportBytes,
            }
          : null,
        agreement,
        drift: analysis.drift,
        reportPath,
      },
      (key, value: unknown) => (key === 'verdicts' ? undefined : value),
    )}\n`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
