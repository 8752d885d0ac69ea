import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONFIG_VARIABLES } from '../../../lib/config';
import { projectRoot } from '../../../lib/config/paths';
import {
  composeConfig,
  dependenciesNotAwaited,
  missingHealthchecks,
  portsOpenBeyondLoopback,
  undocumentedVariables,
  unpinnedImages,
  type ComposeModel,
} from './compose-rules';

const ENV_EXAMPLE = '.env.example';
const fixture = (name: string) => join('test/unit/delivery/fixtures', name);
const envExampleText = readFileSync(join(projectRoot(), ENV_EXAMPLE), 'utf8');

/** Every rule over one model: the list of what is wrong, empty when the file is fine. */
function problems(model: ComposeModel): string[] {
  return [
    ...missingHealthchecks(model),
    ...unpinnedImages(model),
    ...portsOpenBeyondLoopback(model),
    ...dependenciesNotAwaited(model),
    ...undocumentedVariables(model, 'arxiv-mlops', CONFIG_VARIABLES, envExampleText),
  ];
}

describe.each([
  ['docker-compose.yml (official images)', ['docker-compose.yml']],
  ['docker-compose.yml + docker-compose.offline.yml', ['docker-compose.yml', 'docker-compose.offline.yml']],
])('the compose stack: %s', (_name, files) => {
  const model = composeConfig(files, ENV_EXAMPLE);

  it('is valid Compose and meets our rules (healthchecks, pinned images, loopback ports, awaited dependencies, every variable set or documented)', () => {
    expect(problems(model)).toEqual([]);
  });

  it('has every part of the system, the workers apart so they scale apart', () => {
    const services = Object.keys(model.services);
    for (const name of [
      'postgres',
      'temporal',
      'redis',
      'mongo',
      's3',
      's3-bucket',
      'mlflow',
      'worker-io',
      'worker-cpu',
      'api',
      'airflow-init',
      'airflow-api-server',
      'airflow-scheduler',
      'airflow-triggerer',
      'airflow-dag-processor',
    ]) {
      expect(services).toContain(name);
    }
    // A scaled service cannot have a fixed container name or a host port.
    expect(model.services['worker-cpu']).not.toHaveProperty('container_name');
    expect(model.services['worker-cpu']!.ports ?? []).toEqual([]);
  });

  it('gives Redis a password that every client sends and that no command line shows', () => {
    const redis = model.services.redis!;
    const command = JSON.stringify(redis.command);
    expect(command).not.toContain('protected-mode');
    expect(command).toContain('requirepass');
    expect(command).not.toContain('change-me-redis');
    expect(redis.environment).toMatchObject({ REDIS_PASSWORD: 'change-me-redis', REDISCLI_AUTH: 'change-me-redis' });
    for (const name of ['worker-io', 'worker-cpu', 'api'])
      expect(model.services[name]!.environment).toMatchObject({ REDIS_URL: 'redis://:change-me-redis@redis:6379' });
    const airflowRedis = JSON.parse(
      String(model.services['airflow-scheduler']!.environment!.AIRFLOW_CONN_REDIS_DEFAULT),
    ) as { password: string };
    expect(airflowRedis.password).toBe('change-me-redis');
  });
});

describe('the compose checks on bad files', () => {
  it('refuse a file Compose itself rejects', () => {
    expect(() => composeConfig([fixture('compose.invalid.yml')], ENV_EXAMPLE)).toThrow(
      /docker compose config refused .*compose\.invalid\.yml/,
    );
  });

  it('name every broken rule of the bad fixture', () => {
    const found = problems(composeConfig([fixture('compose.bad.yml')], ENV_EXAMPLE));
    expect(found).toEqual(
      expect.arrayContaining([
        'cache: no healthcheck',
        'cache: image redis:latest is not pinned',
        expect.stringMatching(/^cache: port 6379→6379 on /),
        'worker → cache: service_started',
      ]),
    );
    // The worker sets REDIS_URL only; variables neither set nor named in the env file are reported.
    expect(
      undocumentedVariables(
        { services: { worker: { image: 'arxiv-mlops:dev', environment: { REDIS_URL: 'x' } } } },
        'arxiv-mlops',
        ['REDIS_URL', 'NOT_A_KNOB'],
        envExampleText,
      ),
    ).toEqual(['worker: NOT_A_KNOB neither set nor documented']);
  });

  it('need secrets from the env file: without them Compose refuses the stack', () => {
    expect(() => composeConfig(['docker-compose.yml'], fixture('empty.env'))).toThrow(
      /set POSTGRES_PASSWORD in \.env|set MONGO_ROOT_USER in \.env|required variable/,
    );
  });
});
