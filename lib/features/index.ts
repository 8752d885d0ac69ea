export { FeatureStore, featureId, describeText, encodeVector, decodeVector, FEATURES_COLLECTION } from './feature-store';
export type { FeatureDocument, FeatureInput, FeatureLineage, TextDescriptors, UpsertResult, FeatureRow, FeatureSelection } from './feature-store';
export { connectMongo, MongoUnavailableError } from './mongo';
export type { MongoConnection } from './mongo';
