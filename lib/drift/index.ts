export { parseCsv } from './csv';
export { tableOf, takeRows, numericColumn, stringColumn, column, isNumeric, TableError } from './table';
export type { Table, ColumnValues, StorageKind } from './table';
export { inferColumnType, inferColumnTypes, INTEGER_CARDINALITY_LIMIT } from './column-types';
export type { ColumnType } from './column-types';
export {
  STAT_TESTS,
  statTest,
  findStatTest,
  StatTestError,
  jensenShannonDistance,
  wassersteinDistance,
} from './stattests';
export type { StatTest, StatTestName } from './stattests';
export { TEXT_TESTS, findTextTest } from './text-drift';
export type { TextTestName } from './text-drift';
export { ksTwoSample } from './ks';
export { defaultTest, SMALL_REFERENCE_ROWS } from './choose-test';
export { columnDrift, ColumnDriftError, isTestName, TEST_NAMES } from './column-drift';
export type { ColumnDrift, TestName, TestOverrides } from './column-drift';
export { dataDrift, testedColumns, DEFAULT_DRIFT_SHARE } from './data-drift';
export type { ColumnMapping, DataDriftOptions, DataDriftResult, TestedColumn } from './data-drift';
export { embeddingDrift, defaultEmbeddingMethod, BOOTSTRAP_BELOW_ROWS } from './embedding-drift';
export type { EmbeddingDrift, EmbeddingDriftMethod, EmbeddingMethodName, Distance } from './embedding-drift';
export { rowsOf, projectOnReferencePca } from './matrix';
export type { Rows } from './matrix';
export { rocAuc } from './domain-classifier';
