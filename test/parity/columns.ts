/**
 * What every parity case is built from: seeded random draws, and columns written as CSV for both
 * this project and Evidently to read.
 */
import { writeFileSync } from 'node:fs';
import { seededRandom } from '../../lib/embedding/linalg';

/** A column of values as written to CSV: numbers, strings, or missing (null → empty field). */
type Values = Array<number | string | null>;
export type Columns = Record<string, Values>;

export function generator(seed: number) {
  const uniform = seededRandom(seed);
  const normal = (mean = 0, sd = 1) => {
    const u = Math.max(uniform(), Number.MIN_VALUE);
    return mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * uniform());
  };
  const choice = <T>(items: readonly T[], weights: readonly number[]) => {
    const total = weights.reduce((a, b) => a + b, 0);
    let r = uniform() * total;
    for (let i = 0; i < items.length; i += 1) {
      r -= weights[i]!;
      if (r < 0) return items[i]!;
    }
    return items[items.length - 1]!;
  };
  return { uniform, normal, choice };
}

function field(value: number | string | null): string {
  if (value === null || (typeof value === 'number' && Number.isNaN(value))) return '';
  if (value === Number.POSITIVE_INFINITY) return 'inf';
  if (value === Number.NEGATIVE_INFINITY) return '-inf';
  if (typeof value === 'number') return String(value);
  return /[",\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

export function writeCsv(path: string, columns: Columns): string {
  const names = Object.keys(columns);
  const rows = columns[names[0]!]!.length;
  const lines = [names.join(',')];
  for (let r = 0; r < rows; r += 1) lines.push(names.map((name) => field(columns[name]![r]!)).join(','));
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

export const times = <T>(n: number, make: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => make(i));
export const range = (from: number, to: number) => times(to - from, (i) => from + i);
