import Papa from 'papaparse';
import { TableError, type ColumnValues, type Table } from './table';

/** What pandas' read_csv reads as missing by default. */
const MISSING = new Set(['', '#N/A', '#N/A N/A', '#NA', '-1.#IND', '-1.#QNAN', '-NaN', '-nan', '1.#IND', '1.#QNAN', '<NA>', 'N/A', 'NA', 'NULL', 'NaN', 'None', 'n/a', 'nan', 'null']);
const INTEGER = /^[+-]?\d+$/;
const FLOAT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$|^[+-]?(inf|Inf|INF|infinity|Infinity)$/;
const BOOLEAN: Record<string, string> = { True: 'True', TRUE: 'True', true: 'True', False: 'False', FALSE: 'False', false: 'False' };

function toNumber(text: string): number {
  if (MISSING.has(text)) return Number.NaN;
  const lower = text.toLowerCase();
  if (lower === 'inf' || lower === '+inf' || lower === 'infinity' || lower === '+infinity') return Number.POSITIVE_INFINITY;
  if (lower === '-inf' || lower === '-infinity') return Number.NEGATIVE_INFINITY;
  return Number(text);
}

/**
 * One column's values typed the way pandas' read_csv types them, so column types are inferred
 * from the same dtypes Evidently sees: integers without gaps → int, numbers (gaps allowed) → float,
 * True/False without gaps → bool, anything else → strings.
 */
function typeColumn(raw: string[]): ColumnValues {
  let missing = 0;
  let integers = 0;
  let floats = 0;
  let booleans = 0;
  for (const text of raw) {
    if (MISSING.has(text)) missing += 1;
    else if (INTEGER.test(text)) integers += 1;
    else if (FLOAT.test(text)) floats += 1;
    else if (text in BOOLEAN) booleans += 1;
  }
  const present = raw.length - missing;
  if (present === 0) return { storage: 'empty', values: raw.map(() => null) };
  if (integers === present && missing === 0) return { storage: 'int', values: Float64Array.from(raw, Number) };
  if (integers + floats === present) return { storage: 'float', values: Float64Array.from(raw, toNumber) };
  if (booleans === present && missing === 0) return { storage: 'bool', values: raw.map((text) => BOOLEAN[text]!) };
  return { storage: 'string', values: raw.map((text) => (MISSING.has(text) ? null : text)) };
}

/** Parses CSV text with a header row into a typed table. */
export function parseCsv(text: string, source = 'CSV'): Table {
  const parsed = Papa.parse<string[]>(text, { skipEmptyLines: true });
  const fatal = parsed.errors.find((error) => error.type !== 'Delimiter');
  if (fatal) throw new TableError(`${source}: ${fatal.message}${fatal.row === undefined ? '' : ` (row ${fatal.row + 1})`}`);
  const [header, ...rows] = parsed.data;
  if (!header || header.length === 0) throw new TableError(`${source} has no header row`);
  const duplicate = header.find((name, i) => header.indexOf(name) !== i);
  if (duplicate !== undefined) throw new TableError(`${source} names the column "${duplicate}" twice`);
  rows.forEach((row, i) => {
    if (row.length !== header.length) throw new TableError(`${source} row ${i + 2} has ${row.length} fields, the header ${header.length}`);
  });
  const data = new Map<string, ColumnValues>();
  header.forEach((name, c) => data.set(name, typeColumn(rows.map((row) => row[c]!))));
  return { columns: header, rows: rows.length, data };
}
