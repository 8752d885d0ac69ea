export {
  FeatureStore,
  featureId,
  featureVersionId,
  STORED_PAPERS_COLLECTION,
  describeText,
  encodeVector,
  decodeVector,
  FEATURES_COLLECTION,
} from './feature-store';
export type {
  FeatureDocument,
  FeatureInput,
  FeatureLineage,
  TextDescriptors,
  UpsertResult,
  WriteOutcome,
  FeatureRow,
  FeatureSelection,
} from './feature-store';
export { connectMongo, MongoUnavailableError } from './mongo';
export type { MongoConnection } from './mongo';
