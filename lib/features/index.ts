export { FeatureStore } from './feature-store';
export { FEATURES_COLLECTION, STORED_PAPERS_COLLECTION } from './feature-documents';
export { featureId, featureVersionId } from './feature-versions';
export { describeText } from './text-descriptors';
export { encodeVector, decodeVector } from './vector-codec';
export type {
  FeatureDocument,
  FeatureInput,
  FeatureLineage,
  UpsertResult,
  WriteOutcome,
  FeatureRow,
  FeatureSelection,
} from './feature-documents';
export type { TextDescriptors } from './text-descriptors';
export { connectMongo, MongoUnavailableError } from './mongo';
export type { MongoConnection } from './mongo';
