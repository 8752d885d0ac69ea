import { ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { Connection } from '@temporalio/client';
import Redis from 'ioredis';
import { MongoClient } from 'mongodb';
import type { AppConfig, S3Settings } from '../lib/config/config';
import { mlflowClientFor } from '../lib/tracking/mlflow-client';

/** Each probe resolves when the engine answers a real request, and throws with the reason otherwise. */

export async function probeTemporal(address: string, namespace: string): Promise<void> {
  const connection = await Connection.connect({ address, connectTimeout: 2_000 });
  try {
    await connection.workflowService.describeNamespace({ namespace });
  } finally {
    await connection.close();
  }
}

export async function probeRedis(url: string): Promise<void> {
  const redis = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: 2_000,
  });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await redis.ping();
  } finally {
    redis.disconnect();
  }
}

export async function probeMongo(uri: string): Promise<void> {
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: 2_000, connectTimeoutMS: 2_000 });
  try {
    await client.connect();
    await client.db('admin').command({ ping: 1 });
  } finally {
    await client.close();
  }
}

export async function probeS3(settings: S3Settings): Promise<void> {
  const client = new S3Client({
    region: settings.region,
    endpoint: settings.endpoint.url,
    forcePathStyle: true,
    credentials: settings.credentials,
    maxAttempts: 1,
  });
  try {
    await client.send(new ListBucketsCommand({}), { abortSignal: AbortSignal.timeout(3_000) });
  } finally {
    client.destroy();
  }
}

/** MLflow's health check, with the configured credentials (a URL's own `user:password@` included). */
export async function probeMlflow(config: Pick<AppConfig, 'mlflow' | 'mlflowAuth'>): Promise<void> {
  await mlflowClientFor(config, { maxAttempts: 1, timeoutMs: 3_000 }).health();
}
