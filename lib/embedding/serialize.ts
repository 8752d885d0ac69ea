import { LsaEmbedder, type FitSummary, type LsaConfig } from './lsa-embedder';

const MAGIC = Buffer.from('ARXIV-LSA-1\n', 'utf8');

interface Header {
  version: string;
  config: LsaConfig;
  terms: string[];
  documents: number;
  fit: FitSummary;
  vocabulary: number;
  dimensions: number;
}

/**
 * One self-describing file: magic, header length (uint32 LE), JSON header (config, vocabulary,
 * fit summary), then little-endian float64 idf weights and float32 components.
 */
export function serializeEmbedder(embedder: LsaEmbedder): Buffer {
  const { config, tfidf, components, fit } = embedder.state;
  const header: Header = {
    version: embedder.version,
    config,
    terms: tfidf.terms,
    documents: tfidf.documents,
    fit,
    vocabulary: tfidf.terms.length,
    dimensions: config.dimensions,
  };
  const headerBytes = Buffer.from(JSON.stringify(header), 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32LE(headerBytes.length);
  const idf = Buffer.alloc(tfidf.idf.length * 8);
  tfidf.idf.forEach((value, i) => idf.writeDoubleLE(value, i * 8));
  const matrix = Buffer.alloc(components.length * 4);
  components.forEach((value, i) => matrix.writeFloatLE(value, i * 4));
  return Buffer.concat([MAGIC, length, headerBytes, idf, matrix]);
}

export class EmbedderFormatError extends Error {
  override readonly name = 'EmbedderFormatError';
}

export function deserializeEmbedder(bytes: Buffer): LsaEmbedder {
  if (!bytes.subarray(0, MAGIC.length).equals(MAGIC))
    throw new EmbedderFormatError('not an arxiv-mlops LSA embedder file');
  const headerStart = MAGIC.length + 4;
  if (bytes.length < headerStart)
    throw new EmbedderFormatError('embedder file ends before its header: it is truncated');
  const headerLength = bytes.readUInt32LE(MAGIC.length);
  let header: Header;
  try {
    header = JSON.parse(bytes.subarray(headerStart, headerStart + headerLength).toString('utf8')) as Header;
  } catch {
    throw new EmbedderFormatError('embedder file header is not valid JSON: the file is truncated or corrupt');
  }
  const idfStart = headerStart + headerLength;
  const componentsStart = idfStart + header.vocabulary * 8;
  const expectedEnd = componentsStart + header.vocabulary * header.dimensions * 4;
  if (bytes.length !== expectedEnd) {
    throw new EmbedderFormatError(
      `embedder file has ${bytes.length} bytes, expected ${expectedEnd}: it is truncated or corrupt`,
    );
  }
  const idf = new Float64Array(header.vocabulary);
  for (let i = 0; i < idf.length; i += 1) idf[i] = bytes.readDoubleLE(idfStart + i * 8);
  const components = new Float32Array(header.vocabulary * header.dimensions);
  for (let i = 0; i < components.length; i += 1) components[i] = bytes.readFloatLE(componentsStart + i * 4);
  const embedder = new LsaEmbedder({
    config: header.config,
    tfidf: { config: header.config.tfidf, terms: header.terms, idf, documents: header.documents },
    components,
    fit: header.fit,
  });
  if (embedder.version !== header.version) {
    throw new EmbedderFormatError(
      `embedder file claims version ${header.version} but its content hashes to ${embedder.version}`,
    );
  }
  return embedder;
}
