import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  dataDrift,
  embeddingDrift,
  inferColumnType,
  parseCsv,
  rowsOf,
  type ColumnDrift,
  type DataDriftResult,
  type EmbeddingDrift,
} from '../../lib/drift';
import { projectRoot } from '../../lib/config/paths';
import { buildParityCases, type ParityCase } from './cases';

/**
 * The drift engine against real Evidently 0.7 (in .venv-evidently, installed by the setup script):
 * same test, threshold and verdict for every column, the dataset verdict, and the same scores —
 * to 1e-6 relative for deterministic tests, and the same verdicts (domain classifier ROC AUC
 * within 0.03) for the domain classifiers, whose SGD sums floating-point numbers in another order.
 */
interface EvidentlyColumn {
  type: 'num' | 'cat' | 'text';
  test: string;
  threshold: number;
  /** NaN arrives as null, infinities as "Infinity" / "-Infinity". */
  score: number | string | null;
  drifted: boolean;
}
interface EvidentlyCase {
  columns: Record<string, EvidentlyColumn>;
  dataset: {
    numberOfColumns: number;
    numberOfDriftedColumns: number;
    shareOfDriftedColumns: number;
    datasetDrift: boolean;
  };
  embeddings: Record<string, { score: number; drifted: boolean; method: string }>;
}
interface EvidentlyOutput {
  cases: Record<string, EvidentlyCase>;
  inference: Record<string, Record<string, string>>;
}

const PYTHON = join(projectRoot(), '.venv-evidently', 'bin', 'python');
const TYPE_NAMES = { num: 'numerical', cat: 'categorical', text: 'text' } as const;
const RANDOMIZED_TESTS = new Set(['perc_text_content_drift', 'abs_text_content_drift']);

function scoreOf(value: number | string | null): number {
  return value === null ? Number.NaN : Number(value);
}

/** Relative agreement; p-values below 1e-12 are compared absolutely (both are "zero" to the last bits of a double). */
function expectClose(ours: number, theirs: number, what: string): void {
  if (!Number.isFinite(theirs)) {
    if (!Object.is(ours, theirs)) throw new Error(`${what}: ours ${ours}, Evidently ${theirs}`);
    return;
  }
  const scale = Math.max(Math.abs(theirs), 1e-12 / 1e-6);
  if (!(Math.abs(ours - theirs) <= 1e-6 * scale)) throw new Error(`${what}: ours ${ours}, Evidently ${theirs}`);
}

describe('drift engine parity with Evidently 0.7.23', () => {
  const dir = mkdtempSync(join(tmpdir(), 'drift-parity-'));
  const { cases, inference } = buildParityCases(dir);
  let evidently: EvidentlyOutput;

  beforeAll(() => {
    if (!existsSync(PYTHON)) throw new Error(`${PYTHON} is missing: run \`npm run setup\` (it installs Evidently)`);
    const manifest = join(dir, 'manifest.json');
    writeFileSync(manifest, JSON.stringify({ cases, inference }));
    const output = execFileSync(PYTHON, [join(__dirname, 'run_evidently.py'), manifest], {
      maxBuffer: 64 * 1024 * 1024,
      encoding: 'utf8',
    });
    evidently = JSON.parse(output) as EvidentlyOutput;
  }, 300_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const ours = new Map<string, DataDriftResult>();
  const load = (file: string) => parseCsv(readFileSync(file, 'utf8'), file);
  const run = (parity: ParityCase): DataDriftResult => {
    if (!ours.has(parity.name)) {
      const { embeddings: _embeddings, ...mapping } = parity.mapping;
      ours.set(parity.name, dataDrift(load(parity.reference), load(parity.current), mapping, parity.options));
    }
    return ours.get(parity.name)!;
  };

  describe.each(cases.map((parity) => [parity.name, parity] as const))('%s', (_name, parity) => {
    it('tests the same columns with the same test, threshold and verdict', () => {
      const theirs = evidently.cases[parity.name]!;
      const result = run(parity);
      expect(result.columns.map((column) => column.column).sort()).toEqual(Object.keys(theirs.columns).sort());
      for (const column of result.columns) {
        const expected = theirs.columns[column.column]!;
        expect({
          column: column.column,
          type: column.type,
          test: column.testLabel,
          threshold: column.threshold,
          drifted: column.drifted,
        }).toEqual({
          column: column.column,
          type: TYPE_NAMES[expected.type],
          test: expected.test,
          threshold: expected.threshold,
          drifted: expected.drifted,
        });
      }
    });

    it('gives the same scores', () => {
      const theirs = evidently.cases[parity.name]!;
      for (const column of run(parity).columns) {
        const expected = theirs.columns[column.column]!;
        if (RANDOMIZED_TESTS.has(column.test)) {
          expect(Math.abs(column.score - scoreOf(expected.score))).toBeLessThan(0.03);
        } else {
          expectClose(column.score, scoreOf(expected.score), `${parity.name} ${column.column} (${column.testLabel})`);
        }
      }
    });

    it('reaches the same dataset verdict', () => {
      const theirs = evidently.cases[parity.name]!.dataset;
      const result = run(parity);
      expect(result.numberOfColumns).toBe(theirs.numberOfColumns);
      expect(result.numberOfDriftedColumns).toBe(theirs.numberOfDriftedColumns);
      expect(result.shareOfDriftedColumns).toBeCloseTo(theirs.shareOfDriftedColumns, 12);
      expect(result.datasetDrift).toBe(theirs.datasetDrift);
    });

    if (parity.mapping.embeddings) {
      it('detects embedding drift as Evidently does, with each method', () => {
        const theirs = evidently.cases[parity.name]!.embeddings;
        const reference = load(parity.reference);
        const current = load(parity.current);
        const columns = parity.mapping.embeddings!.emb!;
        // Samples and bootstraps are drawn as numpy draws them, so only the SGD-trained domain
        // classifier can drift from Evidently's, by the last bits of its floating-point sums.
        const check = (
          result: EmbeddingDrift,
          expected: { score: number; drifted: boolean; method: string },
          label: string,
        ) => {
          expect({ label, method: result.method, drifted: result.drifted }).toEqual({
            label,
            method: expected.method,
            drifted: expected.drifted,
          });
          if (result.method === 'model') expect(Math.abs(result.score - expected.score)).toBeLessThan(0.03);
          else expectClose(result.score, expected.score, label);
        };
        if (parity.embeddingsViaReport) {
          check(
            embeddingDrift(rowsOf(reference, columns), rowsOf(current, columns)),
            theirs['report:emb']!,
            'default method',
          );
        }
        (parity.embeddingMethods ?? []).forEach((spec, index) => {
          const { embedding: _embedding, ...method } = spec;
          check(
            embeddingDrift(rowsOf(reference, columns), rowsOf(current, columns), method),
            theirs[String(index)]!,
            `${method.method} ${JSON.stringify(method)}`,
          );
        });
      });
    }
  });

  it('covers every test of the registry and both reference sizes', () => {
    const used = new Set<string>(
      [...ours.values()].flatMap((result) => result.columns.map((column: ColumnDrift) => column.test)),
    );
    for (const name of [
      'chisquare',
      'hellinger',
      'jensenshannon',
      'kl_div',
      'ks',
      'perc_text_content_drift',
      'psi',
      'wasserstein',
      'z',
    ])
      expect(used).toContain(name);
  });

  it('infers column types from a CSV as Evidently does', () => {
    const table = load(inference[0]!);
    const theirs = Object.fromEntries(
      Object.entries(evidently.inference[inference[0]!]!).map(([name, type]) => [
        name,
        TYPE_NAMES[type as keyof typeof TYPE_NAMES] ?? type,
      ]),
    );
    const oursTypes = Object.fromEntries(table.columns.map((name) => [name, inferColumnType(table.data.get(name)!)]));
    expect(oursTypes).toEqual(theirs);
  });
});
