import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../../../lib/config/paths';

const HADOLINT = join(projectRoot(), '.venv/bin/hadolint');

/** hadolint with the committed rule file; its exit code and findings (one per line). */
function hadolint(files: string[]): { status: number | null; findings: string[] } {
  if (!existsSync(HADOLINT)) throw new Error(`${HADOLINT} is missing: run bash scripts/setup-engines.sh`);
  const result = spawnSync(HADOLINT, ['--no-color', '--config', '.hadolint.yaml', ...files], {
    cwd: projectRoot(),
    encoding: 'utf8',
  });
  return { status: result.status, findings: result.stdout.split('\n').filter((line) => line.trim() !== '') };
}

const dockerfiles = [
  'Dockerfile',
  'airflow-bridge/Dockerfile',
  ...readdirSync(join(projectRoot(), 'stack/images')).map((image) => `stack/images/${image}/Dockerfile`),
];

describe('the Dockerfiles', () => {
  it('are all found (the application, Airflow, and each offline engine image)', () => {
    expect(dockerfiles.length).toBeGreaterThanOrEqual(11);
    for (const file of dockerfiles) expect(existsSync(join(projectRoot(), file))).toBe(true);
  });

  it('pass hadolint with the committed rules', () => {
    expect(hadolint(dockerfiles)).toEqual({ status: 0, findings: [] });
  });

  it('fail hadolint on a bad Dockerfile, with the rules it breaks named', () => {
    const { status, findings } = hadolint(['test/unit/delivery/fixtures/Dockerfile.bad']);
    expect(status).toBe(1);
    const rules = findings.map((line) => /\b(DL\d{4})\b/.exec(line)?.[1]);
    // latest tag, apt without --no-install-recommends, cd in RUN, npm without a version pin, shell-form CMD
    expect(rules).toEqual(expect.arrayContaining(['DL3007', 'DL3015', 'DL3003', 'DL3025']));
  });

  it('copy into the application image every file the code reads at run time beside its sources', () => {
    // Only the final stage ships: the build stage copies all sources.
    const text = readFileSync(join(projectRoot(), 'Dockerfile'), 'utf8')
      .split(/^FROM /m)
      .pop()!;
    const copied = [...text.matchAll(/^COPY (?!--from)(\S+) /gm)].map((match) => match[1]!);
    const runtimeFiles = (dir: string): string[] =>
      readdirSync(join(projectRoot(), dir), { withFileTypes: true }).flatMap((entry) =>
        entry.isDirectory()
          ? runtimeFiles(`${dir}/${entry.name}`)
          : /\.(ts|wat)$/.test(entry.name)
            ? []
            : [`${dir}/${entry.name}`],
      );
    const assets = ['lib', 'api', 'activities', 'workflows', 'worker', 'cli'].flatMap(runtimeFiles);
    expect(assets.length).toBeGreaterThan(0);
    expect(assets.filter((file) => !copied.some((source) => file === source || file.startsWith(`${source}/`)))).toEqual(
      [],
    );
  });

  it('run the services as a numeric non-root user with a healthcheck (the application image)', () => {
    const text = readFileSync(join(projectRoot(), 'Dockerfile'), 'utf8');
    expect(text).toMatch(/^USER \d+:\d+$/m);
    expect(text).toMatch(/^HEALTHCHECK /m);
    expect(text).toMatch(/ENTRYPOINT \["tini", "--"/);
  });
});
