import { paperText } from '../../../lib/arxiv/record';
import { fitLsaEmbedder, type LsaEmbedder } from '../../../lib/embedding/lsa-embedder';
import { deserializeEmbedder, EmbedderFormatError, serializeEmbedder } from '../../../lib/embedding/serialize';
import { samplePapers, SMALL_CONFIG } from './sample-corpus';

let texts: string[];
let embedder: LsaEmbedder;
let bytes: Buffer;

beforeAll(async () => {
  texts = (await samplePapers(80)).map(paperText);
  embedder = fitLsaEmbedder(texts, SMALL_CONFIG);
  bytes = serializeEmbedder(embedder);
});

/** Magic "ARXIV-LSA-1\n" (12 bytes), then the header length (4 bytes), then the JSON header. */
const HEADER_START = 16;

/** The file with one bit flipped at `at`. */
function corrupted(at: number): Buffer {
  const copy = Buffer.from(bytes);
  copy[at] = copy[at]! ^ 0x01;
  return copy;
}

describe('serializeEmbedder / deserializeEmbedder', () => {
  it('round-trips the version, config, vocabulary, weights and fit summary', () => {
    const loaded = deserializeEmbedder(bytes);
    expect(loaded.version).toBe(embedder.version);
    expect(loaded.state.config).toEqual(embedder.state.config);
    expect(loaded.state.tfidf).toEqual(embedder.state.tfidf);
    expect(loaded.state.components).toEqual(embedder.state.components);
    expect(loaded.state.fit).toEqual(embedder.state.fit);
  });

  it('gives an embedder that embeds exactly as the original', () => {
    const loaded = deserializeEmbedder(bytes);
    for (const text of texts.slice(0, 20)) expect(loaded.embed(text)).toEqual(embedder.embed(text));
  });

  it('writes the same bytes for the same embedder', () => {
    expect(serializeEmbedder(deserializeEmbedder(bytes)).equals(bytes)).toBe(true);
  });

  it('rejects a file that is not an embedder', () => {
    expect(() => deserializeEmbedder(Buffer.from('{"version":"lsa-0"}'))).toThrow(EmbedderFormatError);
    expect(() => deserializeEmbedder(Buffer.alloc(0))).toThrow(/not an arxiv-mlops LSA embedder file/);
  });

  it.each([
    ['inside the header length', () => 14],
    ['inside the header', () => 40],
    ['inside the weights', () => bytes.length - 100],
  ])('rejects a file cut %s', (_where, length) => {
    expect(() => deserializeEmbedder(bytes.subarray(0, length()))).toThrow(EmbedderFormatError);
  });

  it('rejects a file missing its last byte or carrying an extra one', () => {
    expect(() => deserializeEmbedder(bytes.subarray(0, bytes.length - 1))).toThrow(/truncated or corrupt/);
    expect(() => deserializeEmbedder(Buffer.concat([bytes, Buffer.alloc(1)]))).toThrow(EmbedderFormatError);
  });

  it('rejects a file whose weights were altered, because they no longer hash to its version', () => {
    expect(() => deserializeEmbedder(corrupted(bytes.length - 3))).toThrow(/hashes to/);
  });

  it('rejects a file whose header is not valid JSON', () => {
    expect(() => deserializeEmbedder(corrupted(HEADER_START))).toThrow(/header is not valid JSON/);
  });

  it('rejects a file whose recorded version was altered', () => {
    const header = bytes.subarray(HEADER_START, HEADER_START + bytes.readUInt32LE(HEADER_START - 4)).toString('utf8');
    const lastVersionCharacter = HEADER_START + header.indexOf(embedder.version) + embedder.version.length - 1;
    expect(() => deserializeEmbedder(corrupted(lastVersionCharacter))).toThrow(/claims version/);
  });
});
