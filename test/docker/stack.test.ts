import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { projectRoot } from '../../lib/config/paths';
import { ingestProgressQuery } from '../../workflows';
import { composeProject, parsePs, runCommand, TEST_PORTS, writeTestEnvFile, type CommandResult } from './compose';

const PROJECT = 'arxiv-mlops-test';
const MINUTE = 60_000;
/** scripts/docker-images.sh and Compose both tag the application images with IMAGE_TAG (CI: the commit). */
const IMAGE_TAG = process.env.IMAGE_TAG ?? 'dev';

/** Every long-running service of the full profile in the offline variant (its Temporal serves the UI). */
const LONG_RUNNING = [
  'postgres',
  'temporal',
  'redis',
  'mongo',
  's3',
  'mlflow',
  'worker-io',
  'worker-cpu',
  'api',
  'airflow-api-server',
  'airflow-scheduler',
  'airflow-triggerer',
  'airflow-dag-processor',
];
const ONE_SHOT = ['s3-bucket', 'airflow-init'];
const IMAGES = [
  'arxiv-mlops-offline/debian:bookworm',
  'arxiv-mlops-offline/postgres:15-bookworm',
  'arxiv-mlops-offline/redis:7.0-bookworm',
  'arxiv-mlops-offline/temporal:1.9.1',
  'arxiv-mlops-offline/ferretdb:1.24.2',
  'arxiv-mlops-offline/seaweedfs:4.48',
  'arxiv-mlops-mlflow:3.17.2',
  `arxiv-mlops:${IMAGE_TAG}`,
  `arxiv-mlops-airflow:${IMAGE_TAG}`,
];

const phases: Array<{ phase: string; seconds: number; outcome: string }> = [];
let brokenBy: string | undefined;
/** The phase under way: still set when the next begins, it was cut short by Jest's timeout. */
let unfinished: string | undefined;
let tornDown = false;

/** Times one phase; once a phase failed, the later ones fail at once instead of running on a broken stack. */
async function phase<T>(name: string, work: () => Promise<T>): Promise<T> {
  if (unfinished) {
    phases.push({ phase: unfinished, seconds: NaN, outcome: 'TIMED OUT' });
    brokenBy ??= unfinished;
  }
  if (brokenBy) throw new Error(`not run: the phase "${brokenBy}" failed`);
  unfinished = name;
  const started = Date.now();
  try {
    const result = await work();
    unfinished = undefined;
    phases.push({ phase: name, seconds: (Date.now() - started) / 1000, outcome: 'ok' });
    return result;
  } catch (error) {
    unfinished = undefined;
    phases.push({ phase: name, seconds: (Date.now() - started) / 1000, outcome: 'FAILED' });
    brokenBy = name;
    throw error;
  }
}

function expectSuccess(result: CommandResult, what: string): void {
  if (result.code !== 0)
    throw new Error(`${what} exited ${result.code}:\n${result.stderr.slice(-4000)}\n${result.stdout.slice(-2000)}`);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- summaries checked field by field below
function lastJsonLine(stdout: string): Record<string, any> {
  const line = stdout.trim().split('\n').pop() ?? '';
  return JSON.parse(line) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
}

async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  throw new Error(
    `timed out after ${timeoutMs / 1000} s waiting for ${what}${lastError ? ` (last error: ${(lastError as Error).message})` : ''}`,
  );
}

const url = (port: number, path: string) => `http://127.0.0.1:${port}${path}`;

describe('the offline compose stack (docker-compose.yml + docker-compose.offline.yml), for real', () => {
  const { path: envFile, values } = writeTestEnvFile();
  const compose = composeProject(PROJECT, envFile);
  let temporal: Client | undefined;
  let connection: Connection | undefined;
  let promotedVersion = '';

  afterAll(async () => {
    if (unfinished) phases.push({ phase: unfinished, seconds: NaN, outcome: 'TIMED OUT' });
    await connection?.close();
    if (!tornDown && process.env.MLOPS_KEEP_DOCKER_STACK !== '1') {
      const logs = await compose(['logs', '--no-color', '--tail', '60']);
      writeFileSync(join(projectRoot(), '.data/docker/failed-stack.log'), logs.stdout + logs.stderr);
      await compose(['down', '--volumes', '--remove-orphans', '--timeout', '10']);
    }
    const width = Math.max(...phases.map((entry) => entry.phase.length));
    const table = phases.map(
      (entry) => `  ${entry.phase.padEnd(width)}  ${entry.seconds.toFixed(1).padStart(7)} s  ${entry.outcome}`,
    );
    process.stdout.write(`\nDocker phases (compose project ${PROJECT}):\n${table.join('\n')}\n`);
    writeFileSync(join(projectRoot(), '.data/docker/phases.json'), JSON.stringify(phases, null, 2));
  }, 5 * MINUTE);

  it(
    'builds the Debian base and every image from packages',
    async () => {
      await phase('build base and images', async () => {
        // A stack left by an interrupted run would hold the ports and the volumes.
        await compose(['down', '--volumes', '--remove-orphans', '--timeout', '5']);
        expectSuccess(
          await runCommand('bash', ['scripts/docker-images.sh', 'build', '--offline']),
          'docker-images.sh build --offline',
        );
        const inspected = await runCommand('docker', ['image', 'inspect', '--format', '{{.Id}}', ...IMAGES]);
        expectSuccess(inspected, 'docker image inspect');
        expect(inspected.stdout.trim().split('\n')).toHaveLength(IMAGES.length);
      });
    },
    45 * MINUTE,
  );

  it(
    'brings the full profile up and every service turns healthy',
    async () => {
      await phase('stack up, all healthy', async () => {
        expectSuccess(
          await compose(['up', '--detach', '--wait', '--wait-timeout', '900', '--no-build']),
          'docker compose up --wait',
        );
        const services = parsePs((await compose(['ps', '--all', '--format', 'json'])).stdout);
        const byName = new Map(services.map((service) => [service.Service, service]));
        for (const name of LONG_RUNNING) {
          expect({ name, state: byName.get(name)?.State, health: byName.get(name)?.Health }).toEqual({
            name,
            state: 'running',
            health: 'healthy',
          });
        }
        for (const name of ONE_SHOT) {
          expect({ name, state: byName.get(name)?.State, exitCode: byName.get(name)?.ExitCode }).toEqual({
            name,
            state: 'exited',
            exitCode: 0,
          });
        }
      });
    },
    20 * MINUTE,
  );

  it(
    'runs ingest → train → monitor on the workers in the containers',
    async () => {
      await phase('pipeline: ingest, train, monitor', async () => {
        const run = await compose([
          'exec',
          '-T',
          'worker-io',
          'node',
          'bin/mlops.js',
          'run',
          'pipeline',
          '--source',
          'sample',
          '--limit',
          '1500',
          '--min-new-papers',
          '1',
          '--epochs',
          '15',
          '--json',
        ]);
        expectSuccess(run, 'mlops run pipeline');
        const summary = lastJsonLine(run.stdout);
        expect(summary.ingest).toMatchObject({ extracted: 1500, balanced: true });
        expect(summary.ingest.embedded).toBeGreaterThan(1400);
        expect(summary.training.train).toBe(true);
        expect(summary.train).toMatchObject({ promoted: true });
        expect(summary.monitor.currentRows).toBe(summary.ingest.embedded);
        promotedVersion = String(summary.train.modelVersion);
        process.stdout.write(
          `pipeline: ${summary.ingest.embedded} papers embedded, v${promotedVersion} trained, monitor: ${summary.monitor.drift ? 'drift' : 'no drift'}, retraining ${summary.monitor.retrain.decision}\n`,
        );
        expect(summary.monitor.reportUrl).toMatch(/^s3:\/\//);
      });
    },
    20 * MINUTE,
  );

  it(
    'serves a prediction of the promoted model through the API container',
    async () => {
      await phase('prediction through the API', async () => {
        // The API hears the promotion on Redis; until it has loaded the model it is not ready.
        await waitFor('the API to be ready', 2 * MINUTE, async () =>
          (await fetch(url(TEST_PORTS.API_PORT, '/readyz'))).ok ? true : undefined,
        );
        // The champion: the pipeline's model, or the retraining's when its monitor found drift and promoted one.
        const alias = (await (
          await fetch(
            url(TEST_PORTS.MLFLOW_PORT, '/api/2.0/mlflow/registered-models/alias?name=arxiv-classifier&alias=champion'),
          )
        ).json()) as {
          model_version?: { version: string };
        };
        const champion = alias.model_version?.version ?? '';
        expect(Number(champion)).toBeGreaterThanOrEqual(Number(promotedVersion));
        await waitFor(`the API to serve the champion v${champion}`, MINUTE, async () => {
          const model = (await (await fetch(url(TEST_PORTS.API_PORT, '/v1/model'))).json()) as {
            model: { version: string };
          };
          return model.model.version === champion ? true : undefined;
        });
        const response = await fetch(url(TEST_PORTS.API_PORT, '/v1/predict'), {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            title: 'Attention-based neural machine translation for low-resource languages',
            abstract:
              'We train a transformer language model on parallel corpora and evaluate translation quality with BLEU on several low-resource language pairs.',
          }),
        });
        expect(response.status).toBe(200);
        const body = (await response.json()) as {
          model: { name: string; version: string };
          predictions: Array<{ category: string; top: Array<{ probability: number }> }>;
        };
        expect(body.model).toMatchObject({ name: 'arxiv-classifier', version: champion });
        promotedVersion = champion;
        expect(body.predictions).toHaveLength(1);
        expect(body.predictions[0]!.category).toMatch(/^[a-z-]+(\.[A-Za-z-]+)?$/);
        expect(body.predictions[0]!.top[0]!.probability).toBeGreaterThan(0);
      });
    },
    5 * MINUTE,
  );

  it(
    'answers on the Temporal Web UI, the MLflow UI and the Airflow API',
    async () => {
      await phase('Temporal UI, MLflow UI, Airflow API', async () => {
        const ui = await fetch(url(TEST_PORTS.TEMPORAL_UI_PORT, '/namespaces/default/workflows'));
        expect(ui.status).toBe(200);
        expect(ui.headers.get('content-type')).toContain('text/html');
        // The UI's own API lists the pipeline run the workers completed.
        const listed = (await (
          await fetch(
            url(
              TEST_PORTS.TEMPORAL_UI_PORT,
              `/api/v1/namespaces/default/workflows?query=${encodeURIComponent("WorkflowType='pipelineWorkflow'")}`,
            ),
          )
        ).json()) as {
          executions?: Array<{ status: string }>;
        };
        expect(listed.executions?.map((execution) => execution.status)).toContain(
          'WORKFLOW_EXECUTION_STATUS_COMPLETED',
        );

        const mlflowPage = await fetch(url(TEST_PORTS.MLFLOW_PORT, '/'));
        expect(mlflowPage.status).toBe(200);
        expect(await mlflowPage.text()).toContain('MLflow');
        const alias = (await (
          await fetch(
            url(TEST_PORTS.MLFLOW_PORT, '/api/2.0/mlflow/registered-models/alias?name=arxiv-classifier&alias=champion'),
          )
        ).json()) as {
          model_version?: { version: string };
        };
        expect(alias.model_version?.version).toBe(promotedVersion);

        const health = (await (await fetch(url(TEST_PORTS.AIRFLOW_PORT, '/api/v2/monitor/health'))).json()) as Record<
          string,
          { status: string }
        >;
        expect({
          metadatabase: health.metadatabase?.status,
          scheduler: health.scheduler?.status,
          triggerer: health.triggerer?.status,
        }).toEqual({
          metadatabase: 'healthy',
          scheduler: 'healthy',
          triggerer: 'healthy',
        });
        const login = await fetch(url(TEST_PORTS.AIRFLOW_PORT, '/auth/token'), {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ username: 'admin', password: values.AIRFLOW_ADMIN_PASSWORD }),
        });
        expect([200, 201]).toContain(login.status);
        const { access_token: token } = (await login.json()) as { access_token: string };
        // The DAG processor parsed the bridge's DAG inside its container.
        const dag = await waitFor('the arxiv_ct_cm DAG to be parsed', 3 * MINUTE, async () => {
          const answer = await fetch(url(TEST_PORTS.AIRFLOW_PORT, '/api/v2/dags/arxiv_ct_cm'), {
            headers: { authorization: `Bearer ${token}` },
          });
          return answer.ok ? ((await answer.json()) as { dag_id: string; is_paused: boolean }) : undefined;
        });
        expect(dag.dag_id).toBe('arxiv_ct_cm');
      });
    },
    5 * MINUTE,
  );

  it(
    'completes an ingestion although the CPU worker container is stopped in the middle of it',
    async () => {
      await phase('worker-cpu stopped mid-ingestion', async () => {
        connection = await Connection.connect({ address: `127.0.0.1:${TEST_PORTS.TEMPORAL_PORT}` });
        temporal = new Client({ connection, namespace: 'default' });
        // Throttled embedding (80 papers/s over 1,800) leaves time to stop the worker in the middle.
        const ingestArgs = [
          'exec',
          '-T',
          'worker-io',
          'node',
          'bin/mlops.js',
          'run',
          'ingest',
          '--source',
          'file:data/drift/period-2019-2022-a.jsonl.gz',
          '--max-embed-rate',
          '80',
          '--json',
        ];
        const ingest = compose.commandLine(ingestArgs);
        const child = spawn(ingest.command, ingest.args, { cwd: projectRoot() });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
        child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
        const exited = new Promise<number | null>((resolve) => child.on('close', resolve));

        const client = temporal;
        const workflowId = await waitFor('the ingestion to start', MINUTE, async () => {
          for await (const execution of client.workflow.list({
            query: "WorkflowType='ingestWorkflow' AND ExecutionStatus='Running'",
          }))
            return execution.workflowId;
          return undefined;
        });
        const handle = client.workflow.getHandle(workflowId);
        await waitFor('the embedding to begin', 2 * MINUTE, async () =>
          (await handle.query(ingestProgressQuery)).phase === 'embedding' ? true : undefined,
        );
        await new Promise((resolve) => setTimeout(resolve, 4000));

        const stopStarted = Date.now();
        expectSuccess(await compose(['stop', '--timeout', '20', 'worker-cpu']), 'docker compose stop worker-cpu');
        const stopSeconds = (Date.now() - stopStarted) / 1000;
        await new Promise((resolve) => setTimeout(resolve, 10_000));
        // With no CPU worker for ten seconds the run cannot have finished its embedding.
        expect((await handle.describe()).status.name).toBe('RUNNING');
        expect((await handle.query(ingestProgressQuery)).phase).toBe('embedding');
        expectSuccess(await compose(['start', 'worker-cpu']), 'docker compose start worker-cpu');

        const code = await Promise.race([
          exited,
          new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 10 * MINUTE).unref()),
        ]);
        if (code === 'timeout') child.kill();
        if (code !== 0) throw new Error(`mlops run ingest: ${code}\n${stderr.slice(-3000)}`);
        const summary = lastJsonLine(stdout);
        expect(summary).toMatchObject({ workflowId, extracted: 1800, balanced: true, deadLettered: 0 });
        expect(summary.accepted).toBe(summary.embedded + summary.duplicates);
        expect(summary.embedded).toBeGreaterThan(1700);
        process.stdout.write(
          `worker-cpu stopped in ${stopSeconds.toFixed(1)} s; ingestion ${workflowId} completed: ${summary.embedded} embedded of ${summary.extracted}\n`,
        );
        // SIGTERM reached node through tini: the worker stopped well inside the grace period.
        expect(stopSeconds).toBeLessThan(20);
      });
    },
    15 * MINUTE,
  );

  it(
    'scales the CPU workers apart from the rest: three worker-cpu containers, all healthy',
    async () => {
      await phase('worker-cpu scaled to 3', async () => {
        expectSuccess(
          await compose([
            'up',
            '--detach',
            '--wait',
            '--wait-timeout',
            '300',
            '--no-build',
            '--no-recreate',
            '--scale',
            'worker-cpu=3',
          ]),
          'docker compose up --scale worker-cpu=3',
        );
        const services = parsePs((await compose(['ps', '--format', 'json'])).stdout);
        const cpuWorkers = services.filter((service) => service.Service === 'worker-cpu');
        expect(cpuWorkers.map((worker) => `${worker.State}/${worker.Health}`)).toEqual([
          'running/healthy',
          'running/healthy',
          'running/healthy',
        ]);
        expect(services.filter((service) => service.Service === 'worker-io')).toHaveLength(1);
        // Each container polls the CPU queue: its hostname (the container id) is in a poller's identity.
        const client = temporal!;
        const hostnames = cpuWorkers.map((worker) => worker.ID.slice(0, 12));
        await waitFor('a poller on the CPU queue from every worker-cpu container', MINUTE, async () => {
          const described = await client.workflowService.describeTaskQueue({
            namespace: 'default',
            taskQueue: { name: 'arxiv-mlops-cpu' },
            taskQueueType: 2,
          });
          const identities = described.pollers.map((poller) => poller.identity ?? '');
          return hostnames.every((hostname) => identities.some((identity) => identity.endsWith(`@${hostname}`)))
            ? true
            : undefined;
        });
      });
    },
    10 * MINUTE,
  );

  it(
    'tears the stack down with its volumes',
    async () => {
      await phase('tear down', async () => {
        expectSuccess(
          await compose(['down', '--volumes', '--remove-orphans', '--timeout', '20']),
          'docker compose down',
        );
        expect(parsePs((await compose(['ps', '--all', '--format', 'json'])).stdout)).toEqual([]);
        tornDown = true;
      });
    },
    5 * MINUTE,
  );
});
