import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectRoot } from '../../lib/config/paths';
import { dataDrift, parseCsv, type DataDriftResult } from '../../lib/drift';
import { BottomSample } from '../../lib/features/bottom-sample';
import { writeCsv, type Columns } from './columns';
import { MIXED_MAPPING, mixedColumns } from './generated-columns';

/**
 * What monitoring concludes from a fixed sample of a large window against what Evidently concludes
 * from the whole window. The sample is the window's papers whose ids hash lowest (20,000 by
 * default): a simple random sample, independent of content. So:
 * - the test chosen per column is the same (the choice depends on the number of rows only up to
 *   1,000 and on the distinct values, which a sample of thousands keeps);
 * - a distance (Wasserstein, Jensen–Shannon: every column with more than two values) is estimated
 *   with an error of the order of 1/√n: the verdict is Evidently's unless the whole window's
 *   distance lies within a few hundredths of the threshold;
 * - a p-value (the Z-test of binary columns) depends on the sample size itself: a sample has less
 *   power, so a small shift that is significant on the whole window may not be on the sample —
 *   never the reverse beyond the test's own false-positive rate.
 * This test checks those statements against real Evidently on three 60,000-row windows.
 */
const PYTHON = join(projectRoot(), '.venv-evidently', 'bin', 'python');
const WINDOW_ROWS = 60_000;
const SAMPLE_ROWS = 20_000;
const DISTANCE_MARGIN = 0.02;

interface EvidentlyColumn {
  test: string;
  threshold: number;
  score: number | null;
  drifted: boolean;
}
interface EvidentlyCase {
  columns: Record<string, EvidentlyColumn>;
  dataset: { datasetDrift: boolean };
}

function sampleRows(columns: Columns, limit: number): Columns {
  const rows = columns[Object.keys(columns)[0]!]!.length;
  const sample = new BottomSample<number>(limit);
  for (let row = 0; row < rows; row += 1) sample.slot(`2501.${String(row).padStart(5, '0')}-window`, () => row);
  const kept = sample.entries().map(([, row]) => row);
  return Object.fromEntries(Object.entries(columns).map(([name, values]) => [name, kept.map((row) => values[row]!)]));
}

describe('a sampled window against Evidently on the whole window', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sampled-window-'));
  const reference = writeCsv(join(dir, 'reference.csv'), mixedColumns(5_000, 101, 0));
  const windows = { stable: 0, slight: 0.15, drifted: 1 } as const;
  const cases = Object.entries(windows).map(([name, shift]) => {
    const whole = mixedColumns(WINDOW_ROWS, 200 + Math.round(shift * 100), shift);
    return {
      name,
      whole: writeCsv(join(dir, `${name}-whole.csv`), whole),
      sample: writeCsv(join(dir, `${name}-sample.csv`), sampleRows(whole, SAMPLE_ROWS)),
    };
  });
  let evidently: Record<string, EvidentlyCase>;
  const ours = new Map<string, DataDriftResult>();
  const load = (file: string) => parseCsv(readFileSync(file, 'utf8'), file);

  beforeAll(() => {
    if (!existsSync(PYTHON)) throw new Error(`${PYTHON} is missing: run \`npm run setup\` (it installs Evidently)`);
    const manifest = join(dir, 'manifest.json');
    writeFileSync(
      manifest,
      JSON.stringify({
        cases: cases.map(({ name, whole }) => ({ name, reference, current: whole, mapping: MIXED_MAPPING })),
      }),
    );
    evidently = (
      JSON.parse(
        execFileSync(PYTHON, [join(__dirname, 'run_evidently.py'), manifest], {
          maxBuffer: 64 * 1024 * 1024,
          encoding: 'utf8',
        }),
      ) as { cases: Record<string, EvidentlyCase> }
    ).cases;
    for (const { name, sample } of cases) ours.set(name, dataDrift(load(reference), load(sample), MIXED_MAPPING));
  }, 600_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each(Object.keys(windows))("%s window: the same dataset verdict, and each column's test", (name) => {
    const theirs = evidently[name]!;
    const result = ours.get(name)!;
    expect(result.datasetDrift).toBe(theirs.dataset.datasetDrift);
    for (const column of result.columns)
      expect([column.column, column.testLabel]).toEqual([column.column, theirs.columns[column.column]!.test]);
  });

  it.each(Object.keys(windows))(
    "%s window: every distance verdict is Evidently's unless the whole window sits at the threshold",
    (name) => {
      const theirs = evidently[name]!;
      for (const column of ours.get(name)!.columns.filter((c) => c.scoreKind === 'distance')) {
        const whole = theirs.columns[column.column]!;
        expect(Math.abs(column.score - whole.score!)).toBeLessThan(DISTANCE_MARGIN);
        if (Math.abs(whole.score! - whole.threshold) > DISTANCE_MARGIN)
          expect([column.column, column.drifted]).toEqual([column.column, whole.drifted]);
      }
    },
  );

  it.each(Object.keys(windows))(
    '%s window: a p-value test on the sample finds no drift the whole window does not show',
    (name) => {
      const theirs = evidently[name]!;
      for (const column of ours.get(name)!.columns.filter((c) => c.scoreKind === 'p_value')) {
        const whole = theirs.columns[column.column]!;
        if (column.drifted) expect([column.column, whole.drifted]).toEqual([column.column, true]);
        // Strong evidence survives sampling a third of the window.
        if (whole.score! < 1e-6) expect([column.column, column.drifted]).toEqual([column.column, true]);
      }
    },
  );
});
