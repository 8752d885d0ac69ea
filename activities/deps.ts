import type Redis from 'ioredis';
import { PaperStream } from '../lib/buffer/paper-stream';
import { connectRedis } from '../lib/buffer/redis';
import type { AppConfig } from '../lib/config/config';
import { DeadLetterStore } from '../lib/deadletters/dead-letter-store';
import { FeatureStore } from '../lib/features/feature-store';
import { connectMongo, type MongoConnection } from '../lib/features/mongo';
import { MonitoringReportStore } from '../lib/monitoring/report-store';
import { RetrainLedger } from '../lib/monitoring/retrain-ledger';
import { openObjectStore } from '../lib/storage';
import { mlflowClientFor, type MlflowClient } from '../lib/tracking/mlflow-client';
import type { ObjectStore } from '../lib/storage/object-store';

/** The clients activities share within one worker process. */
export interface ActivityDeps {
  config: AppConfig;
  store: ObjectStore;
  redis: Redis;
  mongo: MongoConnection;
  stream: PaperStream;
  features: FeatureStore;
  deadLetters: DeadLetterStore;
  reports: MonitoringReportStore;
  ledger: RetrainLedger;
  mlflow: MlflowClient;
}

export async function openActivityDeps(config: AppConfig): Promise<ActivityDeps & { close(): Promise<void> }> {
  const redis = await connectRedis(config.redis.url, 'arxiv-mlops-worker');
  let mongo: MongoConnection;
  try {
    mongo = await connectMongo(config.mongo.endpoint.url, config.mongo.database);
  } catch (error) {
    redis.disconnect();
    throw error;
  }
  const store = openObjectStore(config);
  const stream = new PaperStream(redis, config.buffer);
  const features = new FeatureStore(mongo.db);
  const deadLetters = new DeadLetterStore(mongo.db);
  const reports = new MonitoringReportStore(mongo.db);
  const ledger = new RetrainLedger(mongo.db);
  await Promise.all([
    stream.ensureGroup(),
    features.ensureIndexes(),
    deadLetters.ensureIndexes(),
    reports.ensureIndexes(),
    ledger.ensureIndexes(),
  ]);
  return {
    config,
    store,
    redis,
    mongo,
    stream,
    features,
    deadLetters,
    reports,
    ledger,
    mlflow: mlflowClientFor(config),
    async close() {
      redis.disconnect();
      await Promise.all([mongo.close(), store.close()]);
    },
  };
}
