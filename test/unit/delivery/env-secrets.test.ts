import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectRoot } from '../../../lib/config/paths';

/** The deploy path's check of .env: the example's placeholders and weak secrets never reach a running stack. */
const SCRIPT = join(projectRoot(), 'scripts', 'docker-images.sh');
const EXAMPLE = readFileSync(join(projectRoot(), '.env.example'), 'utf8');
const SECRETS = [
  'POSTGRES_PASSWORD',
  'MONGO_ROOT_PASSWORD',
  'S3_SECRET_KEY',
  'REDIS_PASSWORD',
  'AIRFLOW_ADMIN_PASSWORD',
  'AIRFLOW_JWT_SECRET',
  'AIRFLOW_FERNET_KEY',
  'MLOPS_API_KEY',
];

const fernet = () => randomBytes(32).toString('base64url') + '=';
/** .env.example with each placeholder replaced as `choose` says. */
const envWith = (choose: (name: string) => string) =>
  EXAMPLE.split('\n')
    .map((line) => line.replace(/^([A-Z0-9_]+)=change-me.*$/, (_whole, name: string) => `${name}=${choose(name)}`))
    .join('\n');
const good = (name: string) => (name === 'AIRFLOW_FERNET_KEY' ? fernet() : randomBytes(18).toString('hex'));

describe('the secrets check of the deploy path (docker-images.sh check-env / deploy)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'env-secrets-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const check = (text: string) => {
    const file = join(dir, `${randomBytes(4).toString('hex')}.env`);
    writeFileSync(file, text);
    return spawnSync('bash', [SCRIPT, 'check-env', file], { encoding: 'utf8' });
  };

  it('refuses the example file, naming every placeholder and how to generate it', () => {
    const result = check(EXAMPLE);
    expect(result.status).toBe(1);
    for (const name of SECRETS)
      expect(result.stderr).toMatch(new RegExp(`${name} is still the example's placeholder: generate one with`));
    expect(result.stderr).toContain('openssl rand -hex 24');
    expect(result.stderr).toContain('base64.urlsafe_b64encode(os.urandom(32))');
    expect(result.stderr).toMatch(/has 8 unusable secret\(s\): nothing was deployed/);
  });

  it('accepts fresh random secrets, and an empty admin key (the admin routes off)', () => {
    expect(check(envWith(good)).status).toBe(0);
    expect(check(envWith((name) => (name === 'MLOPS_API_KEY' ? '' : good(name)))).status).toBe(0);
  });

  it.each([
    ['POSTGRES_PASSWORD', 'short-pass', /POSTGRES_PASSWORD has 10 characters, fewer than 16/],
    ['MONGO_ROOT_PASSWORD', 'p@ss/word:with#url-characters', /MONGO_ROOT_PASSWORD holds characters other than/],
    ['MLOPS_API_KEY', 'a'.repeat(20), /MLOPS_API_KEY has 20 characters, fewer than 24/],
    ['AIRFLOW_FERNET_KEY', randomBytes(18).toString('hex'), /AIRFLOW_FERNET_KEY is not a Fernet key/],
    ['REDIS_PASSWORD', '', /REDIS_PASSWORD is not set/],
    ['S3_SECRET_KEY', 'ChangeMe0123456789abc', /S3_SECRET_KEY is still the example's placeholder/],
  ])('refuses %s=%p', (name, value, problem) => {
    const result = check(envWith((secret) => (secret === name ? value : good(secret))));
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(problem);
    expect(result.stderr).toMatch(/has 1 unusable secret\(s\)/);
  });

  it('deploy stops before Compose is asked anything when .env has a placeholder', () => {
    const project = join(dir, 'project');
    mkdirSync(join(project, 'scripts'), { recursive: true });
    copyFileSync(SCRIPT, join(project, 'scripts', 'docker-images.sh'));
    writeFileSync(join(project, '.env'), EXAMPLE);
    const result = spawnSync('bash', [join(project, 'scripts', 'docker-images.sh'), 'deploy'], {
      encoding: 'utf8',
      env: { ...process.env, PATH: '/usr/bin:/bin' },
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/nothing was deployed/);
    expect(result.stderr).not.toMatch(/Compose|compose/);
  });
});
