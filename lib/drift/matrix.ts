import { PCA } from 'ml-pca';
import { Matrix } from 'ml-matrix';
import { column, isNumeric, TableError, type Table } from './table';

/** Rows of numbers, row-major: element (r, c) is data[r * dims + c]. */
export interface Rows {
  count: number;
  dims: number;
  data: Float64Array;
}

/** The given columns of a table as rows of numbers (an embedding); a missing value is an error. */
export function rowsOf(table: Table, columns: readonly string[]): Rows {
  const dims = columns.length;
  const data = new Float64Array(table.rows * dims);
  columns.forEach((name, c) => {
    const values = column(table, name);
    if (!isNumeric(values)) throw new TableError(`embedding column "${name}" holds values that are not numbers`);
    for (let r = 0; r < table.rows; r += 1) {
      const value = values.values[r]!;
      if (!Number.isFinite(value))
        throw new TableError(`embedding column "${name}" has a missing or infinite value in row ${r + 1}`);
      data[r * dims + c] = value;
    }
  });
  return { count: table.rows, dims, data };
}

export function columnMeans(rows: Rows): Float64Array {
  const means = new Float64Array(rows.dims);
  for (let r = 0; r < rows.count; r += 1) {
    const offset = r * rows.dims;
    for (let d = 0; d < rows.dims; d += 1) means[d]! += rows.data[offset + d]!;
  }
  for (let d = 0; d < rows.dims; d += 1) means[d]! /= rows.count;
  return means;
}

export function selectRows(rows: Rows, indices: ArrayLike<number>): Rows {
  const data = new Float64Array(indices.length * rows.dims);
  for (let k = 0; k < indices.length; k += 1)
    data.set(rows.data.subarray(indices[k]! * rows.dims, (indices[k]! + 1) * rows.dims), k * rows.dims);
  return { count: indices.length, dims: rows.dims, data };
}

export function componentColumn(rows: Rows, d: number): Float64Array {
  const out = new Float64Array(rows.count);
  for (let r = 0; r < rows.count; r += 1) out[r] = rows.data[r * rows.dims + d]!;
  return out;
}

function toMatrix(rows: Rows): Matrix {
  const matrix = new Matrix(rows.count, rows.dims);
  for (let r = 0; r < rows.count; r += 1) {
    for (let d = 0; d < rows.dims; d += 1) matrix.set(r, d, rows.data[r * rows.dims + d]!);
  }
  return matrix;
}

function fromMatrix(matrix: Matrix): Rows {
  const data = new Float64Array(matrix.rows * matrix.columns);
  for (let r = 0; r < matrix.rows; r += 1) {
    for (let d = 0; d < matrix.columns; d += 1) data[r * matrix.columns + d] = matrix.get(r, d);
  }
  return { count: matrix.rows, dims: matrix.columns, data };
}

/** Principal components fitted on the reference, applied to both (Evidently's `pca_components`). */
export function projectOnReferencePca(
  reference: Rows,
  others: readonly Rows[],
  components: number,
): { reference: Rows; others: Rows[] } {
  const pca = new PCA(toMatrix(reference), { method: 'covarianceMatrix', center: true, scale: false });
  const nComponents = Math.min(components, reference.dims);
  return {
    reference: fromMatrix(pca.predict(toMatrix(reference), { nComponents })),
    others: others.map((rows) => fromMatrix(pca.predict(toMatrix(rows), { nComponents }))),
  };
}
