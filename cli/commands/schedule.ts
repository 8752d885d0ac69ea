import type { Client } from '@temporalio/client';
import { ScheduleOverlapPolicy } from '@temporalio/client';
import type { AppConfig } from '../../lib/config/config';
import { pipelineWorkflow, type PipelineInput } from '../../workflows';
import type { Reporter } from '../output';

export interface ScheduleOptions {
  id: string;
  every?: string;
  cron?: string;
  paused?: boolean;
}

/**
 * `mlops schedule create|list|pause|unpause|trigger|delete`: the CT/CM pipeline on a Temporal
 * Schedule. A run still going when the next one is due makes that one skip (overlap policy SKIP).
 */
export async function scheduleCommand(
  action: string,
  options: ScheduleOptions,
  pipeline: () => PipelineInput,
  client: Client,
  config: AppConfig,
  reporter: Reporter,
): Promise<number> {
  const handle = client.schedule.getHandle(options.id);
  switch (action) {
    case 'create': {
      const spec = options.cron
        ? { cronExpressions: [options.cron] }
        : { intervals: [{ every: (options.every ?? '1d') as `${number}d` }] };
      await client.schedule.create({
        scheduleId: options.id,
        spec,
        action: {
          type: 'startWorkflow',
          workflowType: pipelineWorkflow,
          taskQueue: config.temporal.taskQueues.io,
          workflowId: `${options.id}-run`,
          args: [pipeline()],
        },
        policies: { overlap: ScheduleOverlapPolicy.SKIP },
        state: { paused: options.paused ?? false, note: 'created by mlops schedule create' },
      });
      const described = await handle.describe();
      reporter.summary(
        'Schedule created',
        [
          ['schedule', options.id],
          ['runs', options.cron ? `cron "${options.cron}"` : `every ${options.every ?? '1d'}`],
          ['overlap', 'skip'],
          ['next', described.info.nextActionTimes[0]?.toISOString()],
        ],
        { scheduleId: options.id, nextActionTimes: described.info.nextActionTimes, paused: described.state.paused },
      );
      return 0;
    }
    case 'list': {
      const schedules = [];
      for await (const summary of client.schedule.list()) {
        schedules.push({
          scheduleId: summary.scheduleId,
          paused: summary.state.paused,
          next: summary.info.nextActionTimes[0]?.toISOString() ?? null,
          recent: summary.info.recentActions.at(-1)?.takenAt?.toISOString() ?? null,
        });
      }
      if (reporter.json) reporter.summary('', [], { schedules });
      else
        process.stdout.write(
          schedules.length
            ? `${schedules.map((s) => `${s.scheduleId}  ${s.paused ? 'paused' : 'active'}  next ${s.next ?? '-'}  last ${s.recent ?? '-'}`).join('\n')}\n`
            : 'No schedules.\n',
        );
      return 0;
    }
    case 'pause':
      await handle.pause('paused by mlops schedule pause');
      break;
    case 'unpause':
      await handle.unpause('unpaused by mlops schedule unpause');
      break;
    case 'trigger':
      await handle.trigger(ScheduleOverlapPolicy.SKIP);
      break;
    case 'delete':
      await handle.delete();
      break;
    default:
      throw new Error(`unknown schedule action "${action}": use create, list, pause, unpause, trigger or delete`);
  }
  const done: Record<string, string> = {
    pause: 'paused',
    unpause: 'unpaused',
    trigger: 'triggered',
    delete: 'deleted',
  };
  reporter.summary(`Schedule ${done[action]}`, [['schedule', options.id]], { scheduleId: options.id, action });
  return 0;
}
