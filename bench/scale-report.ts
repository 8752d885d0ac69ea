import type { ProcessWatch } from './process-watch';
import type { StageRow } from './scale-stages';

const GB = 1024 ** 3;

/** The stages' table: seconds, papers, papers/s, each watched process's peak GB, the detail. */
function printTable(rows: StageRow[], labels: string[]): void {
  const gb = (bytes: number | undefined) => (bytes ? (bytes / GB).toFixed(2) : '-');
  const header = ['stage', 'seconds', 'papers', 'papers/s', ...labels.map((label) => `${label} GB`), 'detail'];
  const body = rows.map((row) => [
    row.stage,
    row.seconds.toFixed(1),
    String(row.papers),
    row.seconds > 0 ? Math.round(row.papers / row.seconds).toString() : '-',
    ...labels.map((label) => gb(row.rss[label])),
    row.detail,
  ]);
  const widths = header.map((_, c) => Math.max(...[header, ...body].map((row) => row[c]!.length)));
  for (const row of [header, ...body])
    console.log(
      row
        .map((cell, c) => (c === 0 || c === row.length - 1 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!)))
        .join('  '),
    );
}

/**
 * Prints bench:scale's report (the stages' table, each engine's disk, the scale-out ratio), then its JSON line.
 * `generated`: lines written for --multiply (0: none).
 */
export function reportScale(
  watch: ProcessWatch,
  multiply: number,
  generated: number,
  rows: StageRow[],
  scaleOut: StageRow[],
  disk: Record<string, string>,
): void {
  const engines = ['temporal', 'redis', 'mongo', 'mlflow'];
  const labels = [
    ...watch.labels().filter((label) => !engines.includes(label)),
    ...engines.filter((engine) => watch.labels().includes(engine)),
  ];
  console.log(
    `\nbench:scale — ${multiply > 1 ? `the corpus ×${multiply} under derived ids${generated > 0 ? ` (${generated} lines)` : ''}` : 'the bundled corpus'}, local engines, peak RSS per process during each stage`,
  );
  printTable([...rows, ...scaleOut], labels);
  console.log('\ndisk:');
  for (const [engine, size] of Object.entries(disk)) console.log(`  ${engine.padEnd(13)} ${size}`);
  const ingest = rows.filter((row) => row.stage.startsWith('ingest'));
  const papersPerSecond = (list: StageRow[]) =>
    list.reduce((sum, row) => sum + row.papers, 0) /
    Math.max(
      1e-9,
      list.reduce((sum, row) => sum + row.seconds, 0),
    );
  const one = scaleOut.filter((row) => row.stage.startsWith('1 CPU'));
  const two = scaleOut.filter((row) => row.stage.startsWith('2 CPU'));
  if (one.length && two.length)
    console.log(
      `\nscale-out: 2 CPU worker processes ingest at ${(papersPerSecond(two) / papersPerSecond(one)).toFixed(2)}× the rate of 1`,
    );
  console.log(
    JSON.stringify({
      bench: 'scale',
      multiply: multiply,
      lines: generated || undefined,
      stages: [...rows, ...scaleOut],
      disk,
      ingestPapersPerSecond: papersPerSecond(ingest),
      scaleOutRatio: one.length && two.length ? papersPerSecond(two) / papersPerSecond(one) : null,
    }),
  );
}
