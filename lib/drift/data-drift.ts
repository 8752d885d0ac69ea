import { columnDrift, type ColumnDrift, type TestOverrides } from './column-drift';
import { distinctCount, inferColumnType, type ColumnType } from './column-types';
import { ownValue } from './own';
import { column, isNumeric, type ColumnValues, type Table } from './table';

/**
 * The roles of columns, as Evidently's column mapping: the target and prediction are tested like
 * features; the id and timestamp are not tested. When feature lists are given, the listed columns
 * are tested; otherwise every column is, its type inferred from the current data as Evidently
 * does. `types` fixes single columns' types, `ignore` leaves columns out.
 */
export interface ColumnMapping {
  target?: string;
  prediction?: string;
  id?: string;
  datetime?: string;
  numerical?: string[];
  categorical?: string[];
  text?: string[];
  /** Explicit types for single columns (wins over inference). */
  types?: Readonly<Record<string, ColumnType>>;
  /** Columns not to test at all. */
  ignore?: string[];
}

export interface DataDriftOptions extends TestOverrides {
  /** Dataset drift when at least this share of the tested columns drifted. */
  driftShare?: number;
}

export const DEFAULT_DRIFT_SHARE = 0.5;

export interface DataDriftResult {
  columns: ColumnDrift[];
  numberOfColumns: number;
  numberOfDriftedColumns: number;
  shareOfDriftedColumns: number;
  driftShare: number;
  datasetDrift: boolean;
  /** Columns left out, and why (no type could be inferred, …). */
  skipped: Array<{ column: string; reason: string }>;
}

/** Target and prediction: numbers with more than five values (or prediction scores in [0, 1]) are numerical, others categorical. */
function utilityType(values: ColumnValues, isPrediction: boolean): ColumnType {
  if (!isNumeric(values)) return 'categorical';
  if (distinctCount(values) > 5) return 'numerical';
  if (isPrediction && values.storage === 'float') {
    let low = Number.POSITIVE_INFINITY;
    let high = Number.NEGATIVE_INFINITY;
    for (const value of values.values) {
      if (Number.isNaN(value)) continue;
      low = Math.min(low, value);
      high = Math.max(high, value);
    }
    if (low >= 0 && high <= 1) return 'numerical';
  }
  return 'categorical';
}

function concatenated(a: ColumnValues, b: ColumnValues): ColumnValues {
  if (isNumeric(a) && isNumeric(b)) {
    const values = new Float64Array(a.values.length + b.values.length);
    values.set(a.values);
    values.set(b.values, a.values.length);
    return { storage: a.storage === 'int' && b.storage === 'int' ? 'int' : 'float', values };
  }
  const text = (values: ColumnValues) =>
    Array.from(values.values as ArrayLike<string | number | null>, (value) =>
      value === null || (typeof value === 'number' && Number.isNaN(value)) ? null : String(value),
    );
  return { storage: 'string', values: [...text(a), ...text(b)] };
}

export interface TestedColumn {
  column: string;
  type: ColumnType;
}

/**
 * The columns to test and their types, in Evidently's order: target, prediction, numerical
 * features (sorted), categorical features, text features.
 */
export function testedColumns(
  reference: Table,
  current: Table,
  mapping: ColumnMapping = {},
): { columns: TestedColumn[]; skipped: DataDriftResult['skipped'] } {
  const skipped: DataDriftResult['skipped'] = [];
  const utility = new Set(
    [mapping.target, mapping.prediction, mapping.id, mapping.datetime].filter((name): name is string => Boolean(name)),
  );
  const ignored = new Set(mapping.ignore ?? []);
  const listed = new Map<string, ColumnType>();
  for (const name of mapping.numerical ?? []) listed.set(name, 'numerical');
  for (const name of mapping.categorical ?? []) listed.set(name, 'categorical');
  for (const name of mapping.text ?? []) listed.set(name, 'text');
  for (const [name, type] of Object.entries(mapping.types ?? {})) listed.set(name, type);
  const onlyListed = mapping.numerical !== undefined || mapping.categorical !== undefined || mapping.text !== undefined;

  const features: TestedColumn[] = [];
  for (const name of current.columns) {
    if (utility.has(name) || ignored.has(name)) continue;
    if (!reference.data.has(name)) {
      skipped.push({ column: name, reason: 'not in the reference data' });
      continue;
    }
    if (onlyListed && !listed.has(name)) continue;
    const type = listed.get(name) ?? inferColumnType(column(current, name));
    if (type === undefined) {
      skipped.push({ column: name, reason: 'no values to infer a type from' });
      continue;
    }
    features.push({ column: name, type });
  }
  for (const name of listed.keys()) {
    if (!current.data.has(name)) throw new Error(`column "${name}" is not in the current data`);
  }
  for (const name of reference.columns) {
    if (!current.data.has(name) && !utility.has(name) && !ignored.has(name) && (!onlyListed || listed.has(name)))
      skipped.push({ column: name, reason: 'not in the current data' });
  }
  const order: ColumnType[] = ['numerical', 'categorical', 'text'];
  const byType = (type: ColumnType) => features.filter((feature) => feature.type === type);
  const numerical = byType('numerical').sort((a, b) => (a.column < b.column ? -1 : a.column > b.column ? 1 : 0));
  const others = order.slice(1).flatMap(byType);

  const utilities: TestedColumn[] = [];
  for (const [name, isPrediction] of [
    [mapping.target, false],
    [mapping.prediction, true],
  ] as const) {
    if (!name || !reference.data.has(name) || !current.data.has(name)) continue;
    const type =
      ownValue(mapping.types, name) ??
      utilityType(concatenated(column(reference, name), column(current, name)), isPrediction);
    utilities.push({ column: name, type });
  }
  return { columns: [...utilities, ...numerical, ...others], skipped };
}

/** Evidently's DataDriftPreset over two tables: every column tested, and the share that drifted decides dataset drift. */
export function dataDrift(
  reference: Table,
  current: Table,
  mapping: ColumnMapping = {},
  options: DataDriftOptions = {},
): DataDriftResult {
  const { columns: tested, skipped } = testedColumns(reference, current, mapping);
  const columns = tested.map(({ column: name, type }) =>
    columnDrift(name, type, column(reference, name), column(current, name), options),
  );
  const drifted = columns.filter((result) => result.drifted).length;
  const driftShare = options.driftShare ?? DEFAULT_DRIFT_SHARE;
  const share = columns.length === 0 ? 0 : drifted / columns.length;
  return {
    columns,
    numberOfColumns: columns.length,
    numberOfDriftedColumns: drifted,
    shareOfDriftedColumns: share,
    driftShare,
    datasetDrift: columns.length > 0 && share >= driftShare,
    skipped,
  };
}
