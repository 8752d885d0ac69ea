import Papa from 'papaparse';
import { TableError, type ColumnValues, type Table } from './table';

/** What pandas' read_csv reads as missing by default. */
const MISSING = new Set([
  '',
  '#N/A',
  '#N/A N/A',
  '#NA',
  '-1.#IND',
  '-1.#QNAN',
  '-NaN',
  '-nan',
  '1.#IND',
  '1.#QNAN',
  '<NA>',
  'N/A',
  'NA',
  'NULL',
  'NaN',
  'None',
  'n/a',
  'nan',
  'null',
]);
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
// Maps, not object literals: a value such as `constructor` or `__proto__` must not find an inherited property.
const INFINITY = new Map<string, number>([
  ['inf', Infinity],
  ['+inf', Infinity],
  ['infinity', Infinity],
  ['+infinity', Infinity],
  ['-inf', -Infinity],
  ['-infinity', -Infinity],
]);
const BOOLEAN = new Map<string, string>([
  ['True', 'True'],
  ['TRUE', 'True'],
  ['true', 'True'],
  ['False', 'False'],
  ['FALSE', 'False'],
  ['false', 'False'],
]);

function isIntegerText(text: string): boolean {
  return text.indexOf('.') < 0 && text.indexOf('e') < 0 && text.indexOf('E') < 0;
}

/**
 * One column's values typed the way pandas' read_csv types them, so column types are inferred
 * from the same dtypes Evidently sees: integers without gaps → int, numbers (gaps allowed) → float,
 * True/False without gaps → bool, anything else → strings. One pass while the values are numbers.
 */
function typeColumn(raw: string[]): ColumnValues {
  const numbers = new Float64Array(raw.length);
  let numeric = true;
  let integers = true;
  let missing = 0;
  for (let i = 0; i < raw.length && numeric; i += 1) {
    const text = raw[i]!;
    if (MISSING.has(text)) {
      missing += 1;
      numbers[i] = Number.NaN;
    } else if (NUMBER.test(text)) {
      numbers[i] = Number(text);
      if (integers && !isIntegerText(text)) integers = false;
    } else {
      const infinite = INFINITY.get(text.toLowerCase());
      if (infinite === undefined) numeric = false;
      else {
        numbers[i] = infinite;
        integers = false;
      }
    }
  }
  if (numeric) {
    if (missing === raw.length) return { storage: 'empty', values: raw.map(() => null) };
    return { storage: integers && missing === 0 ? 'int' : 'float', values: numbers };
  }
  const present = raw.filter((text) => !MISSING.has(text));
  if (present.length === raw.length && present.every((text) => BOOLEAN.has(text)))
    return { storage: 'bool', values: raw.map((text) => BOOLEAN.get(text)!) };
  return { storage: 'string', values: raw.map((text) => (MISSING.has(text) ? null : text)) };
}

/** Parses CSV text with a header row into a typed table. */
export function parseCsv(text: string, source = 'CSV'): Table {
  const parsed = Papa.parse<string[]>(text, { skipEmptyLines: true });
  const fatal = parsed.errors.find((error) => error.type !== 'Delimiter');
  if (fatal)
    throw new TableError(`${source}: ${fatal.message}${fatal.row === undefined ? '' : ` (row ${fatal.row + 1})`}`);
  const [header, ...rows] = parsed.data;
  if (!header || header.length === 0) throw new TableError(`${source} has no header row`);
  const seen = new Set<string>();
  for (const name of header) {
    if (seen.has(name)) throw new TableError(`${source} names the column "${name}" twice`);
    seen.add(name);
  }
  rows.forEach((row, i) => {
    if (row.length !== header.length)
      throw new TableError(`${source} row ${i + 2} has ${row.length} fields, the header ${header.length}`);
  });
  const data = new Map<string, ColumnValues>();
  header.forEach((name, c) => data.set(name, typeColumn(rows.map((row) => row[c]!))));
  return { columns: header, rows: rows.length, data };
}
