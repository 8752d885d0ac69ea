import { ownValue } from './own';
import { isNumeric, type ColumnValues, type Table } from './table';

export type ColumnType = 'numerical' | 'categorical' | 'text';

/** Integer columns with at most this many distinct values are categories (Evidently's INTEGER_CARDINALITY_LIMIT). */
export const INTEGER_CARDINALITY_LIMIT = 10;

export function distinctCount(values: ColumnValues): number {
  const seen = new Set<number | string>();
  if (isNumeric(values)) {
    for (const value of values.values) if (!Number.isNaN(value)) seen.add(value);
  } else {
    for (const value of values.values) if (value !== null) seen.add(value);
  }
  return seen.size;
}

/** Values that are not missing. */
export function presentCount(values: ColumnValues): number {
  let count = 0;
  if (isNumeric(values)) {
    for (const value of values.values) if (!Number.isNaN(value)) count += 1;
  } else {
    for (const value of values.values) if (value !== null) count += 1;
  }
  return count;
}

/**
 * The type Evidently infers for a column: floats are numerical; integers are categorical up to
 * ten distinct values, numerical above; booleans are categorical; strings are text when more than
 * half of the present values are distinct, categorical otherwise. Undefined: nothing to infer from.
 */
export function inferColumnType(values: ColumnValues): ColumnType | undefined {
  switch (values.storage) {
    case 'float':
      return 'numerical';
    case 'int':
      return distinctCount(values) <= INTEGER_CARDINALITY_LIMIT ? 'categorical' : 'numerical';
    case 'bool':
      return 'categorical';
    case 'string':
      return distinctCount(values) > presentCount(values) * 0.5 ? 'text' : 'categorical';
    case 'empty':
      return undefined;
  }
}

/** Inferred types of the given columns, with explicit types taking precedence. */
export function inferColumnTypes(
  table: Table,
  names: readonly string[],
  overrides: Readonly<Record<string, ColumnType>> = {},
): Map<string, ColumnType | undefined> {
  return new Map(names.map((name) => [name, ownValue(overrides, name) ?? inferColumnType(table.data.get(name)!)]));
}
