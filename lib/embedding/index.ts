export { LsaEmbedder, fitLsaEmbedder, embedderVersion, DEFAULT_LSA_CONFIG } from './lsa-embedder';
export type { LsaConfig, LsaState, FitSummary } from './lsa-embedder';
export { serializeEmbedder, deserializeEmbedder, EmbedderFormatError } from './serialize';
export {
  saveEmbedder,
  setCurrentEmbedder,
  currentEmbedder,
  loadEmbedder,
  embedderManifest,
  embedderKey,
  EMBEDDER_PREFIX,
} from './registry';
export { isHeldOut, DEFAULT_EMBEDDER_HOLDOUT } from './holdout';
export type { EmbedderHoldout } from './holdout';
export type { EmbedderManifest } from './registry';
export { tokenize, termsOf } from './tokenize';
export { fitTfidf, TfidfVectorizer } from './tfidf';
export type { TfidfConfig, TfidfState } from './tfidf';
export { fitInThread } from './fit-in-thread';
