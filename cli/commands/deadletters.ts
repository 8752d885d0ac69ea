import type { AppConfig } from '../../lib/config/config';
import { DeadLetterStore } from '../../lib/deadletters/dead-letter-store';
import { connectMongo } from '../../lib/features/mongo';
import { terminalSafe, type Reporter } from '../output';

export interface DeadLetterOptions {
  run?: string;
  reason?: string;
  limit: number;
}

export async function deadLettersCommand(
  options: DeadLetterOptions,
  config: AppConfig,
  reporter: Reporter,
): Promise<number> {
  const mongo = await connectMongo(config.mongo.endpoint.url, config.mongo.database);
  try {
    const store = new DeadLetterStore(mongo.db);
    const query = { ingestWorkflowId: options.run, reason: options.reason };
    const [total, letters] = await Promise.all([store.count(query), store.find({ ...query, limit: options.limit })]);
    if (!reporter.json) {
      // One line per field, whatever the record held: whitespace runs become one space, controls are shown, not obeyed.
      const line = (text: string) => terminalSafe(text.replace(/\s+/g, ' '));
      for (const letter of letters) {
        process.stdout.write(
          `${line(letter.reason)}\t${line(letter.position)}\t${line(letter.detail)}\n    ${line(letter.raw.slice(0, 160))}\n`,
        );
      }
    }
    reporter.summary(
      'Dead letters',
      [
        ['matching', total],
        ['shown', letters.length],
      ],
      { total, letters },
    );
    return 0;
  } finally {
    await mongo.close();
  }
}
