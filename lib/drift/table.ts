/**
 * Tabular data as the drift engine reads it: one typed array per column. Numbers are Float64Array
 * (NaN where a value is missing); everything else is strings (null where missing).
 */
export type StorageKind = 'int' | 'float' | 'bool' | 'string' | 'empty';

export type ColumnValues =
  | { storage: 'int' | 'float'; values: Float64Array }
  | { storage: 'bool' | 'string' | 'empty'; values: Array<string | null> };

export interface Table {
  /** Column names in file order. */
  columns: string[];
  rows: number;
  data: Map<string, ColumnValues>;
}

export class TableError extends Error {
  override readonly name = 'TableError';
  readonly permanent = true;
}

export function column(table: Table, name: string): ColumnValues {
  const values = table.data.get(name);
  if (!values)
    throw new TableError(
      `no column "${name}" (columns: ${table.columns.slice(0, 12).join(', ')}${table.columns.length > 12 ? ', …' : ''})`,
    );
  return values;
}

export function isNumeric(values: ColumnValues): values is Extract<ColumnValues, { values: Float64Array }> {
  return values.storage === 'int' || values.storage === 'float';
}

export function numericColumn(
  name: string,
  values: ArrayLike<number>,
  storage: 'int' | 'float' = 'float',
): [string, ColumnValues] {
  return [name, { storage, values: Float64Array.from(values) }];
}

export function stringColumn(name: string, values: ReadonlyArray<string | null>): [string, ColumnValues] {
  return [name, { storage: 'string', values: [...values] }];
}

/** A table from named columns, all of one length. */
export function tableOf(columns: Array<[string, ColumnValues]>): Table {
  const rows = columns[0]?.[1].values.length ?? 0;
  for (const [name, values] of columns) {
    if (values.values.length !== rows)
      throw new TableError(`column "${name}" has ${values.values.length} values, the first column ${rows}`);
  }
  return { columns: columns.map(([name]) => name), rows, data: new Map(columns) };
}

/** The rows of a table at the given indices (a sample, a subset). */
export function takeRows(table: Table, indices: ArrayLike<number>): Table {
  const data = new Map<string, ColumnValues>();
  for (const [name, values] of table.data) {
    if (isNumeric(values)) {
      const out = new Float64Array(indices.length);
      for (let i = 0; i < indices.length; i += 1) out[i] = values.values[indices[i]!]!;
      data.set(name, { storage: values.storage, values: out });
    } else {
      data.set(name, {
        storage: values.storage,
        values: Array.from(indices as ArrayLike<number>, (index) => values.values[index]!),
      });
    }
  }
  return { columns: [...table.columns], rows: indices.length, data };
}
