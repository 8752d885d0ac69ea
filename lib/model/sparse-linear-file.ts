import { SparseLinearModel, type SparseLinearConfig, type SparseLinearState } from './sparse-linear';

const MAGIC = Buffer.from('ARXIV-SPARSE-LINEAR-1\n', 'utf8');

interface Header {
  config: SparseLinearConfig;
  classes: number;
  features: number;
  documents: number;
  temperature: number;
  /** Byte length of the vocabulary block (terms joined by newlines, UTF-8). */
  termBytes: number;
}

export class SparseLinearFormatError extends Error {
  override readonly name = 'SparseLinearFormatError';
  readonly permanent = true;
}

/**
 * One self-describing file: magic, header length (uint32 LE), JSON header, the vocabulary (terms
 * joined by newlines), then little-endian float64 idf weights, float32 biases and float32
 * weights (classes × features, row-major). Every number round-trips exactly.
 */
export function serializeSparseLinear(model: SparseLinearModel): Buffer {
  const { state } = model;
  const terms = Buffer.from(state.tfidf.terms.join('\n'), 'utf8');
  const header: Header = {
    config: state.config,
    classes: state.classes,
    features: state.tfidf.terms.length,
    documents: state.tfidf.documents,
    temperature: state.temperature,
    termBytes: terms.length,
  };
  const headerBytes = Buffer.from(JSON.stringify(header), 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32LE(headerBytes.length);
  const bytesOf = (array: Float64Array | Float32Array) => Buffer.from(array.buffer, array.byteOffset, array.byteLength);
  return Buffer.concat([MAGIC, length, headerBytes, terms, bytesOf(state.tfidf.idf), bytesOf(state.bias), bytesOf(state.weights)]);
}

export function deserializeSparseLinear(bytes: Buffer): SparseLinearModel {
  if (!bytes.subarray(0, MAGIC.length).equals(MAGIC)) throw new SparseLinearFormatError('not an arxiv-mlops sparse linear model file');
  const headerStart = MAGIC.length + 4;
  if (bytes.length < headerStart) throw new SparseLinearFormatError('sparse linear model file ends before its header: it is truncated');
  const headerLength = bytes.readUInt32LE(MAGIC.length);
  let header: Header;
  try {
    header = JSON.parse(bytes.subarray(headerStart, headerStart + headerLength).toString('utf8')) as Header;
  } catch {
    throw new SparseLinearFormatError('sparse linear model header is not valid JSON: the file is truncated or corrupt');
  }
  const termsStart = headerStart + headerLength;
  const idfStart = termsStart + header.termBytes;
  const biasStart = idfStart + header.features * 8;
  const weightsStart = biasStart + header.classes * 4;
  const expectedEnd = weightsStart + header.classes * header.features * 4;
  if (bytes.length !== expectedEnd) {
    throw new SparseLinearFormatError(`sparse linear model file has ${bytes.length} bytes, expected ${expectedEnd}: it is truncated or corrupt`);
  }
  // Copies, so the typed arrays are aligned whatever the header's length.
  const copy = (start: number, end: number) => new Uint8Array(bytes.subarray(start, end)).buffer;
  const terms = header.features === 0 ? [] : bytes.subarray(termsStart, idfStart).toString('utf8').split('\n');
  if (terms.length !== header.features) throw new SparseLinearFormatError(`sparse linear model lists ${terms.length} terms, its header says ${header.features}`);
  const state: SparseLinearState = {
    config: header.config,
    tfidf: { config: header.config.tfidf, terms, idf: new Float64Array(copy(idfStart, biasStart)), documents: header.documents },
    classes: header.classes,
    bias: new Float32Array(copy(biasStart, weightsStart)),
    weights: new Float32Array(copy(weightsStart, expectedEnd)),
    temperature: header.temperature,
  };
  return new SparseLinearModel(state);
}
