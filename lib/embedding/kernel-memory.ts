import { readFileSync } from 'node:fs';
import { resolveFromRoot } from '../config/paths';
import type { CsrMatrix, Dense } from './linalg';

/** The exports of kernels.wasm (see kernels.wat); addresses are byte offsets into its memory. */
interface Kernels {
  zero(at: number, bytes: number): void;
  sparseTimesDense(
    rows: number,
    indptr: number,
    indices: number,
    values: number,
    w: number,
    l: number,
    out: number,
  ): void;
  sparseTransposeTimesDense(
    rows: number,
    indptr: number,
    indices: number,
    values: number,
    q: number,
    l: number,
    out: number,
  ): void;
  gramTimes(
    rows: number,
    indptr: number,
    indices: number,
    values: number,
    v: number,
    l: number,
    out: number,
    scratch: number,
  ): void;
  transposeTimes(a: number, b: number, rows: number, acols: number, bcols: number, out: number): void;
  times(a: number, b: number, arows: number, acols: number, bcols: number, out: number): void;
  transpose(src: number, rows: number, cols: number, dst: number): void;
  orthonormalizeRows(t: number, count: number, n: number, passes: number): void;
  weightedRowSum(rows: number, weights: number, n: number, matrix: number, cols: number, out: number): void;
  denseLayer(
    input: number,
    inputs: number,
    weights: number,
    outputs: number,
    bias: number,
    relu: number,
    out: number,
  ): void;
}

/** A dense row-major matrix in kernel memory; `capacity` doubles may hold other shapes later. */
export interface KernelDense {
  at: number;
  rows: number;
  cols: number;
  capacity: number;
}

export interface KernelCsr {
  rows: number;
  cols: number;
  indptr: number;
  indices: number;
  values: number;
}

/** The parts of Node's WebAssembly global used here (TypeScript declares it only with the DOM's types). */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: { env: { memory: WasmMemory } }) => { exports: unknown };
  Memory: new (descriptor: { initial: number; maximum: number }) => WasmMemory;
}
const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** The compiled kernels, from the project's root (`npm run build:kernels` writes it from kernels.wat). */
export const KERNELS_WASM = 'lib/embedding/kernels.wasm';

const PAGE = 65_536;
const MAX_PAGES = 65_536;
/** The most bytes one kernel memory holds: WebAssembly's 4 GiB. */
export const KERNEL_MEMORY_LIMIT = MAX_PAGES * PAGE;
let compiled: object | undefined;

function kernelModule(): object {
  compiled ??= new wasm.Module(readFileSync(resolveFromRoot(KERNELS_WASM)));
  return compiled;
}

/**
 * One WebAssembly memory and the kernels working on it: matrices are copied in once, multiplied in
 * place and read back at the end. Memory is handed out from the bottom up and freed all at once
 * when this object is dropped, so a fit allocates its buffers up front and reuses them.
 */
export class KernelMemory {
  private readonly memory: WasmMemory;
  private readonly kernels: Kernels;
  private top = 16;

  constructor(expectedBytes = PAGE) {
    this.memory = new wasm.Memory({
      initial: Math.min(MAX_PAGES, Math.ceil((expectedBytes + 16) / PAGE)),
      maximum: MAX_PAGES,
    });
    this.kernels = new wasm.Instance(kernelModule(), { env: { memory: this.memory } }).exports as unknown as Kernels;
  }

  private allocate(bytes: number): number {
    const at = this.top;
    const end = at + Math.ceil(bytes / 16) * 16;
    if (end > KERNEL_MEMORY_LIMIT)
      throw new Error(`the linear algebra needs ${Math.ceil(end / 2 ** 20)} MiB, above WebAssembly's 4 GiB`);
    const pages = Math.ceil(end / PAGE) - this.memory.buffer.byteLength / PAGE;
    if (pages > 0) this.memory.grow(pages);
    this.top = end;
    return at;
  }

  /** `bytes` bytes of zeros, 16-byte aligned, for the per-paper kernels' own layouts: their address. */
  reserve(bytes: number): number {
    return this.allocate(bytes);
  }

  /**
   * Live views of reserved memory. Like `view`'s, they are lost when the memory grows: a caller
   * keeping them reserves everything it needs first.
   */
  float32s(at: number, length: number): Float32Array {
    return new Float32Array(this.memory.buffer, at, length);
  }

  float64s(at: number, length: number): Float64Array {
    return new Float64Array(this.memory.buffer, at, length);
  }

  int32s(at: number, length: number): Int32Array {
    return new Int32Array(this.memory.buffer, at, length);
  }

  /** A zero matrix. */
  dense(rows: number, cols: number): KernelDense {
    const at = this.allocate(rows * cols * 8);
    // Memory handed out for the first time is zero already.
    return { at, rows, cols, capacity: rows * cols };
  }

  denseFrom(m: Dense): KernelDense {
    const out = this.dense(m.rows, m.cols);
    this.view(out).set(m.data);
    return out;
  }

  /** The same storage as another shape (its elements unspecified until written). */
  reshape(m: KernelDense, rows: number, cols: number): KernelDense {
    if (rows * cols > m.capacity) throw new Error(`${rows}×${cols} does not fit in ${m.capacity} doubles`);
    return { at: m.at, rows, cols, capacity: m.capacity };
  }

  csr(x: CsrMatrix): KernelCsr {
    const indptr = this.allocate(x.indptr.byteLength);
    const indices = this.allocate(x.indices.byteLength);
    const values = this.allocate(x.values.byteLength);
    new Int32Array(this.memory.buffer, indptr, x.indptr.length).set(x.indptr);
    new Int32Array(this.memory.buffer, indices, x.indices.length).set(x.indices);
    new Float64Array(this.memory.buffer, values, x.values.length).set(x.values);
    return { rows: x.rows, cols: x.cols, indptr, indices, values };
  }

  /** The matrix's elements, live: a view is lost when the memory grows, so take one per use. */
  view(m: KernelDense): Float64Array {
    return new Float64Array(this.memory.buffer, m.at, m.rows * m.cols);
  }

  read(m: KernelDense): Dense {
    return { rows: m.rows, cols: m.cols, data: this.view(m).slice() };
  }

  zero(m: KernelDense): void {
    this.kernels.zero(m.at, m.rows * m.cols * 8);
  }

  /** out = X · W. */
  sparseTimesDense(x: KernelCsr, w: KernelDense, out: KernelDense): void {
    expectShape(
      x.cols === w.rows && out.rows === x.rows && out.cols === w.cols,
      `${x.rows}×${x.cols} · ${w.rows}×${w.cols} → ${out.rows}×${out.cols}`,
    );
    this.kernels.sparseTimesDense(x.rows, x.indptr, x.indices, x.values, w.at, w.cols, out.at);
  }

  /** out += Xᵀ · Q. */
  addSparseTransposeTimesDense(x: KernelCsr, q: KernelDense, out: KernelDense): void {
    expectShape(
      x.rows === q.rows && out.rows === x.cols && out.cols === q.cols,
      `(${x.rows}×${x.cols})ᵀ · ${q.rows}×${q.cols} → ${out.rows}×${out.cols}`,
    );
    this.kernels.sparseTransposeTimesDense(x.rows, x.indptr, x.indices, x.values, q.at, q.cols, out.at);
  }

  /** out += Xᵀ · (X · V), through `scratch` (one row of l doubles) rather than storing X · V. */
  addGramTimes(x: KernelCsr, v: KernelDense, out: KernelDense, scratch: KernelDense): void {
    expectShape(
      x.cols === v.rows && out.rows === x.cols && out.cols === v.cols && scratch.capacity >= v.cols,
      `(${x.rows}×${x.cols})ᵀ(${x.rows}×${x.cols} · ${v.rows}×${v.cols}) → ${out.rows}×${out.cols}`,
    );
    this.kernels.gramTimes(x.rows, x.indptr, x.indices, x.values, v.at, v.cols, out.at, scratch.at);
  }

  /** out += Aᵀ · B. */
  addTransposeTimes(a: KernelDense, b: KernelDense, out: KernelDense): void {
    expectShape(
      a.rows === b.rows && out.rows === a.cols && out.cols === b.cols,
      `(${a.rows}×${a.cols})ᵀ · ${b.rows}×${b.cols} → ${out.rows}×${out.cols}`,
    );
    this.kernels.transposeTimes(a.at, b.at, a.rows, a.cols, b.cols, out.at);
  }

  /** out += A · B. */
  addTimes(a: KernelDense, b: KernelDense, out: KernelDense): void {
    expectShape(
      a.cols === b.rows && out.rows === a.rows && out.cols === b.cols,
      `${a.rows}×${a.cols} · ${b.rows}×${b.cols} → ${out.rows}×${out.cols}`,
    );
    this.kernels.times(a.at, b.at, a.rows, a.cols, b.cols, out.at);
  }

  /** out = mᵀ. */
  transpose(m: KernelDense, out: KernelDense): void {
    expectShape(out.rows === m.cols && out.cols === m.rows, `(${m.rows}×${m.cols})ᵀ → ${out.rows}×${out.cols}`);
    this.kernels.transpose(m.at, m.rows, m.cols, out.at);
  }

  /**
   * out (cols doubles) = Σₚ weights[p] · row rows[p] of `matrix` (f32, cols columns), p < n, as
   * linalg.ts's weightedRowSum sums it (the same doubles); every argument an address.
   */
  weightedRowSum(rows: number, weights: number, n: number, matrix: number, cols: number, out: number): void {
    this.kernels.weightedRowSum(rows, weights, n, matrix, cols, out);
  }

  /**
   * out (outputs floats) = bias + input (inputs floats) · weights (inputs × outputs, row-major), then
   * relu when asked, in f32; outputs a multiple of 4; every argument an address.
   */
  denseLayer(
    input: number,
    inputs: number,
    weights: number,
    outputs: number,
    bias: number,
    relu: boolean,
    out: number,
  ): void {
    if (outputs % 4 !== 0) throw new Error(`denseLayer needs a multiple of 4 outputs, got ${outputs}`);
    this.kernels.denseLayer(input, inputs, weights, outputs, bias, relu ? 1 : 0, out);
  }

  /**
   * Orthonormalizes m's columns in place by modified Gram–Schmidt, `passes` times against the
   * earlier columns (the second pass re-orthogonalizes for full accuracy); a column that vanishes
   * (rank deficiency) becomes zeros. `scratch` holds the transpose, so each column is contiguous.
   */
  orthonormalizeColumns(m: KernelDense, passes: 1 | 2, scratch: KernelDense): void {
    const transposed = this.reshape(scratch, m.cols, m.rows);
    this.transpose(m, transposed);
    this.kernels.orthonormalizeRows(transposed.at, m.cols, m.rows, passes);
    this.transpose(transposed, m);
  }
}

function expectShape(fits: boolean, shapes: string): void {
  if (!fits) throw new Error(`shape mismatch: ${shapes}`);
}
