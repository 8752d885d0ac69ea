import type { SparseLinearConfig, SparseLinearState } from './sparse-linear-config';
import { SparseLinearModel } from './sparse-linear-model';
import { fromDense, type TermWeights } from './term-weights';

const MAGIC = Buffer.from('ARXIV-SPARSE-LINEAR-2\n', 'utf8');
/** The first format: the same, with the weights as a dense classes × features block. Still read. */
const DENSE_MAGIC = Buffer.from('ARXIV-SPARSE-LINEAR-1\n', 'utf8');

interface Header {
  config: SparseLinearConfig;
  classes: number;
  features: number;
  documents: number;
  temperature: number;
  /** Byte length of the vocabulary block (terms joined by newlines, UTF-8). */
  termBytes: number;
  /** The title block (absent: no title block). */
  titleFeatures?: number;
  titleDocuments?: number;
  titleTermBytes?: number;
  /** Non-zero weights (absent in the first format). */
  nonzeroWeights?: number;
}

export class SparseLinearFormatError extends Error {
  override readonly name = 'SparseLinearFormatError';
  readonly permanent = true;
}

/**
 * One self-describing file: magic, header length (uint32 LE), JSON header, the vocabulary (terms
 * joined by newlines), the title block's vocabulary, then little-endian float64 idf weights (text,
 * then title), float32 biases, and the non-zero weights term by term: int32 offsets (features + 1),
 * float32 values, uint16 classes. Every number round-trips exactly.
 */
export function serializeSparseLinear(model: SparseLinearModel): Buffer {
  const { state } = model;
  const terms = Buffer.from(state.tfidf.terms.join('\n'), 'utf8');
  const titleTerms = Buffer.from(state.titleTfidf?.terms.join('\n') ?? '', 'utf8');
  const header: Header = {
    config: state.config,
    classes: state.classes,
    features: state.tfidf.terms.length,
    documents: state.tfidf.documents,
    temperature: state.temperature,
    termBytes: terms.length,
    nonzeroWeights: state.weights.values.length,
    ...(state.titleTfidf
      ? {
          titleFeatures: state.titleTfidf.terms.length,
          titleDocuments: state.titleTfidf.documents,
          titleTermBytes: titleTerms.length,
        }
      : {}),
  };
  const headerBytes = Buffer.from(JSON.stringify(header), 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32LE(headerBytes.length);
  const bytesOf = (array: Float64Array | Float32Array | Int32Array | Uint16Array) =>
    Buffer.from(array.buffer, array.byteOffset, array.byteLength);
  const { offsets, values, classOf } = state.weights;
  const titleIdf = state.titleTfidf ? [bytesOf(state.titleTfidf.idf)] : [];
  return Buffer.concat([
    MAGIC,
    length,
    headerBytes,
    terms,
    titleTerms,
    bytesOf(state.tfidf.idf),
    ...titleIdf,
    bytesOf(state.bias),
    bytesOf(offsets),
    bytesOf(values),
    bytesOf(classOf),
  ]);
}

export function deserializeSparseLinear(bytes: Buffer): SparseLinearModel {
  const dense = bytes.subarray(0, DENSE_MAGIC.length).equals(DENSE_MAGIC);
  if (!dense && !bytes.subarray(0, MAGIC.length).equals(MAGIC))
    throw new SparseLinearFormatError('not an arxiv-mlops sparse linear model file');
  const headerStart = MAGIC.length + 4;
  if (bytes.length < headerStart)
    throw new SparseLinearFormatError('sparse linear model file ends before its header: it is truncated');
  const headerLength = bytes.readUInt32LE(MAGIC.length);
  let header: Header;
  try {
    header = JSON.parse(bytes.subarray(headerStart, headerStart + headerLength).toString('utf8')) as Header;
  } catch {
    throw new SparseLinearFormatError('sparse linear model header is not valid JSON: the file is truncated or corrupt');
  }
  const titleFeatures = header.titleFeatures ?? 0;
  const termsStart = headerStart + headerLength;
  const titleTermsStart = termsStart + header.termBytes;
  const idfStart = titleTermsStart + (header.titleTermBytes ?? 0);
  const titleIdfStart = idfStart + header.features * 8;
  const biasStart = titleIdfStart + titleFeatures * 8;
  const weightsStart = biasStart + header.classes * 4;
  const features = header.features + titleFeatures;
  const nonzero = header.nonzeroWeights ?? 0;
  const valuesStart = weightsStart + (features + 1) * 4;
  const classesStart = valuesStart + nonzero * 4;
  const expectedEnd = dense ? weightsStart + header.classes * features * 4 : classesStart + nonzero * 2;
  if (bytes.length !== expectedEnd) {
    throw new SparseLinearFormatError(
      `sparse linear model file has ${bytes.length} bytes, expected ${expectedEnd}: it is truncated or corrupt`,
    );
  }
  // Copies, so the typed arrays are aligned whatever the header's length.
  const copy = (start: number, end: number) => new Uint8Array(bytes.subarray(start, end)).buffer;
  const termsOf = (start: number, end: number, count: number) => {
    const terms = count === 0 ? [] : bytes.subarray(start, end).toString('utf8').split('\n');
    if (terms.length !== count)
      throw new SparseLinearFormatError(`sparse linear model lists ${terms.length} terms, its header says ${count}`);
    return terms;
  };
  const terms = termsOf(termsStart, titleTermsStart, header.features);
  const state: SparseLinearState = {
    config: {
      ...header.config,
      titleWeight: header.config.titleWeight ?? 0,
      unknownTermsAsSlack: header.config.unknownTermsAsSlack ?? false,
      refitMaxEpochs: header.config.refitMaxEpochs ?? header.config.maxEpochs,
    },
    tfidf: {
      config: header.config.tfidf,
      terms,
      idf: new Float64Array(copy(idfStart, titleIdfStart)),
      documents: header.documents,
    },
    ...(header.titleFeatures !== undefined
      ? {
          titleTfidf: {
            config: header.config.tfidf,
            terms: termsOf(titleTermsStart, idfStart, titleFeatures),
            idf: new Float64Array(copy(titleIdfStart, biasStart)),
            documents: header.titleDocuments ?? header.documents,
          },
        }
      : {}),
    classes: header.classes,
    bias: new Float32Array(copy(biasStart, weightsStart)),
    weights: dense
      ? fromDense(new Float32Array(copy(weightsStart, expectedEnd)), header.classes, features)
      : {
          terms: features,
          classes: header.classes,
          offsets: new Int32Array(copy(weightsStart, valuesStart)),
          values: new Float32Array(copy(valuesStart, classesStart)),
          classOf: new Uint16Array(copy(classesStart, expectedEnd)),
        },
    temperature: header.temperature,
  };
  if (!dense) checkWeights(state.weights);
  return new SparseLinearModel(state);
}

/** Offsets that climb from 0 to the non-zero count and classes below the class count, or the file is corrupt. */
function checkWeights({ offsets, classOf, values, classes, terms }: TermWeights): void {
  let monotone = offsets[0] === 0 && offsets[terms] === values.length;
  for (let t = 0; monotone && t < terms; t += 1) monotone = offsets[t]! <= offsets[t + 1]!;
  if (!monotone)
    throw new SparseLinearFormatError('sparse linear model weight offsets are not in order: the file is corrupt');
  for (let q = 0; q < classOf.length; q += 1) {
    if (classOf[q]! >= classes)
      throw new SparseLinearFormatError(
        `sparse linear model has a weight for class ${classOf[q]}, of ${classes}: the file is corrupt`,
      );
  }
}
