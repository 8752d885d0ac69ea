import { MongoClient, type Db } from 'mongodb';
import { redactUrls } from '../config/redact';

export class MongoUnavailableError extends Error {
  override readonly name = 'MongoUnavailableError';
}

export interface MongoConnection {
  client: MongoClient;
  db: Db;
  close(): Promise<void>;
}

/** Connects and pings, so a wrong URI fails here with a message that says what to do. */
export async function connectMongo(uri: string, database: string): Promise<MongoConnection> {
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: 10_000, appName: 'arxiv-mlops' });
  try {
    await client.connect();
    await client.db(database).command({ ping: 1 });
  } catch (error) {
    await client.close().catch(() => undefined);
    throw new MongoUnavailableError(
      `MongoDB not reachable at ${redactUrls(uri)} (${redactUrls((error as Error).message)}): start it with \`mlops stack up\` or set MONGODB_URI`,
    );
  }
  return { client, db: client.db(database), close: () => client.close() };
}

/**
 * A connection that does not wait for the server: operations connect (and reconnect) when they
 * run, failing after `serverSelectionTimeoutMS` while it is down. For writers that must not stop
 * the process when MongoDB is away (the API's prediction log).
 */
export function openMongo(
  uri: string,
  database: string,
  options: { serverSelectionTimeoutMS: number; appName: string },
): MongoConnection {
  const client = new MongoClient(uri, options);
  return { client, db: client.db(database), close: () => client.close() };
}
