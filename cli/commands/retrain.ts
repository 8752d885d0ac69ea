import type { AppConfig } from '../../lib/config/config';
import { connectMongo } from '../../lib/features/mongo';
import { RetrainLedger, type LedgerDocument } from '../../lib/monitoring/retrain-ledger';
import type { Reporter } from '../output';

function describe(entry: LedgerDocument): string {
  if (entry.kind === 'rollback')
    return `rollback  ${entry.modelName}@${entry.alias}: v${entry.fromVersion ?? '-'} → v${entry.toVersion} (${entry.reason})`;
  const why = entry.drift ? 'drift' : entry.qualityAlert ? 'quality alert' : 'no drift';
  const outcome = entry.outcome
    ? entry.outcome.trainingRunId
      ? ` → v${entry.outcome.modelVersion} ${entry.outcome.promoted ? 'promoted' : 'not promoted'} (${entry.outcome.reason})`
      : ` → ${entry.outcome.reason}`
    : entry.retrainWorkflowId
      ? ' → still training'
      : '';
  return `${entry.decision.padEnd(15)} ${why} on serving v${entry.servingModelVersion ?? '-'} — ${entry.detail}${outcome}  [${entry._id}]`;
}

/** `mlops retrain history`: every monitoring decision (retrained? promoted? why not?) and rollback, newest first. */
export async function retrainHistoryCommand(
  options: { limit: number },
  config: AppConfig,
  reporter: Reporter,
): Promise<number> {
  const mongo = await connectMongo(config.mongo.endpoint.url, config.mongo.database);
  try {
    const entries = await new RetrainLedger(mongo.db).history(options.limit);
    if (reporter.json) {
      reporter.summary('', [], { entries });
      return 0;
    }
    process.stdout.write(
      entries.length === 0
        ? 'No decisions yet: run `mlops run monitor`.\n'
        : `${entries.map((entry) => `${entry.at.toISOString()}  ${describe(entry)}`).join('\n')}\n`,
    );
    return 0;
  } finally {
    await mongo.close();
  }
}
