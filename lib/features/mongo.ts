import { MongoClient, type Db } from 'mongodb';

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
      `MongoDB not reachable at ${uri} (${(error as Error).message}): start it with \`mlops stack up\` or set MONGODB_URI`,
    );
  }
  return { client, db: client.db(database), close: () => client.close() };
}
