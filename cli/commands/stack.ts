import type { AppConfig } from '../../lib/config/config';
import { stackDown, stackStatus, stackUp, type EngineStatus } from '../../stack';
import type { Reporter } from '../output';

function rows(statuses: EngineStatus[]): Array<[string, string]> {
  return statuses.map((status) => {
    const facts = [status.state, status.url];
    if (status.implementation) facts.push(status.implementation);
    if (status.pid) facts.push(`pid ${status.pid}`);
    for (const [name, link] of Object.entries(status.links)) facts.push(`${name} ${link}`);
    if (!status.needed && status.state === 'stopped') facts.push('(not used by this configuration)');
    if (status.detail) facts.push(`— ${status.detail}`);
    return [status.name, facts.join('  ')];
  });
}

export async function stackCommand(
  action: string,
  engines: string[],
  config: AppConfig,
  reporter: Reporter,
): Promise<number> {
  const onEvent = (message: string) => reporter.note(message);
  switch (action) {
    case 'up': {
      const statuses = await stackUp(config, { engines, onEvent });
      reporter.summary('Stack is up', rows(statuses), { action, engines: statuses });
      return 0;
    }
    case 'down': {
      const statuses = await stackDown(config, { engines, onEvent });
      reporter.summary('Stack', rows(statuses), { action, engines: statuses });
      return 0;
    }
    case 'status': {
      const statuses = await stackStatus(config, engines);
      reporter.summary('Stack', rows(statuses), { action, engines: statuses });
      const broken = statuses.some((s) => s.needed && s.state !== 'external' && s.state !== 'local-running');
      return broken ? 1 : 0;
    }
    default:
      throw new Error(`unknown stack action "${action}": use up, down or status`);
  }
}
