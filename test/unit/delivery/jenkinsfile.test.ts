import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

// The Jenkinsfile read by the real Groovy parser (scripts/jenkinsfile-stages.groovy, on the jar
// scripts/fetch-groovy.sh installs), then checked: stage order, npm steps only, scripts that exist.
// Each check returns its problems, so the same check passes on the Jenkinsfile and fails on a fixture.

const ROOT = join(__dirname, '..', '..', '..');
const GROOVY_JAR = join(ROOT, '.tools', 'groovy', 'groovy-4.0.33.jar');
const PARSER = join(ROOT, 'scripts', 'jenkinsfile-stages.groovy');
const JENKINSFILE = join(ROOT, 'Jenkinsfile');
const SYNTAX_ERROR = join(__dirname, 'fixtures', 'Jenkinsfile.syntax-error');
const BAD_STEPS = join(__dirname, 'fixtures', 'Jenkinsfile.bad-steps');
const TIMEOUT_MS = 60_000;

const GATE = 'npm run test:data-quality';
const HEAVY = ['npm run test:unit', 'npm run test:replay', 'npm run test:integration', 'npm run test:docker'];
const PIPELINE_ORDER = [
  ['npm ci'],
  ['npm run setup'],
  ['npm run lint', 'npm run typecheck'],
  [GATE],
  ['npm run test:unit', 'npm run test:replay'],
  ['npm run test:integration'],
  ['npm run test:docker'],
  ['npm run docker:build'],
  ['npm run docker:push'],
  ['npm run deploy'],
];

interface Stage {
  name: string;
  line: number;
  when: boolean;
  parallel: boolean;
  sh: string[];
  stages: Stage[];
}

const stageSchema: z.ZodType<Stage> = z.lazy(() =>
  z.object({
    name: z.string(),
    line: z.number(),
    when: z.boolean(),
    parallel: z.boolean(),
    sh: z.array(z.string()),
    stages: z.array(stageSchema),
  }),
);
const pipelineSchema = z.object({ stages: z.array(stageSchema), sh: z.array(z.string()) });
type Pipeline = z.infer<typeof pipelineSchema>;

const scripts = z
  .object({ scripts: z.record(z.string()) })
  .parse(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'))).scripts;

interface ParserRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the parser on one file: a JVM start, a second or two. */
function runParser(file: string): Promise<ParserRun> {
  // C1 only and the serial collector: a third faster to start, and the run is too short to need more.
  // -XX:-UsePerfData: JVMs started together can collide on /tmp/hsperfdata_<user> and warn on stdout.
  const args = [
    '-XX:TieredStopAtLevel=1',
    '-XX:+UseSerialGC',
    '-XX:-UsePerfData',
    '-cp',
    GROOVY_JAR,
    'groovy.ui.GroovyMain',
    PARSER,
    file,
  ];
  return new Promise((resolve, reject) => {
    const child = spawn('java', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', (error) => reject(new Error(`cannot run java (${error.message}): install a JDK 11 or later`)));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

function pipelineOf(run: ParserRun): Pipeline {
  if (run.status !== 0) throw new Error(`the parser exited with ${run.status}:\n${run.stderr}`);
  return pipelineSchema.parse(JSON.parse(run.stdout));
}

/** One command of an sh step (`a && b; c` is three), where it runs, and whether a `when` guards it. */
interface Step {
  where: string;
  command: string;
  guarded: boolean;
}

function shellCommands(sh: string): string[] {
  return sh
    .split(/&&|\|\||;|\n/)
    .map((command) => command.trim())
    .filter((command) => command !== '' && !command.startsWith('#'));
}

/** Every step in pipeline order: a stage's own, then its nested stages', then those outside any stage. */
function steps(pipeline: Pipeline): Step[] {
  const all: Step[] = [];
  const visit = (stage: Stage, guarded: boolean): void => {
    const where = `stage '${stage.name}' (line ${stage.line})`;
    for (const sh of stage.sh) {
      for (const command of shellCommands(sh)) all.push({ where, command, guarded: guarded || stage.when });
    }
    for (const child of stage.stages) visit(child, guarded || stage.when);
  };
  for (const stage of pipeline.stages) visit(stage, false);
  for (const sh of pipeline.sh) {
    for (const command of shellCommands(sh)) all.push({ where: 'outside any stage', command, guarded: false });
  }
  return all;
}

/** `npm ci`, `npm test` or `npm run <script>` (flags and arguments left out); undefined for anything else. */
function npmCommand(command: string): string | undefined {
  const [program, ...rest] = command.split(/\s+/);
  if (program !== 'npm') return undefined;
  const [subcommand, script] = rest.filter((word) => !word.startsWith('-'));
  if (subcommand === 'ci' || subcommand === 'test') return `npm ${subcommand}`;
  if (subcommand === 'run' && script !== undefined) return `npm run ${script}`;
  return undefined;
}

function scriptOf(npm: string | undefined): string | undefined {
  if (npm === 'npm test') return 'test';
  return npm?.startsWith('npm run ') ? npm.slice('npm run '.length) : undefined;
}

function notNpm(all: Step[]): string[] {
  return all
    .filter((step) => npmCommand(step.command) === undefined)
    .map((step) => `${step.where}: \`${step.command}\` is not npm ci, npm test or npm run <script>`);
}

function missingScripts(all: Step[]): string[] {
  return all
    .map((step) => ({ step, npm: npmCommand(step.command) }))
    .filter(({ npm }) => {
      const script = scriptOf(npm);
      return script !== undefined && !Object.hasOwn(scripts, script);
    })
    .map(({ step, npm }) => `${step.where}: \`${npm}\` names no script in package.json`);
}

/** Problems with the groups running in order: each command of a group after every command of the one before. */
function outOfOrder(all: Step[], groups: string[][]): string[] {
  const first = new Map<string, number>();
  all.forEach((step, index) => {
    const npm = npmCommand(step.command);
    if (npm !== undefined && !first.has(npm)) first.set(npm, index);
  });
  const problems = groups
    .flat()
    .filter((command) => !first.has(command))
    .map((command) => `\`${command}\` never runs`);
  groups.slice(1).forEach((group, i) => {
    for (const before of groups[i]!) {
      for (const after of group) {
        const [b, a] = [first.get(before), first.get(after)];
        if (b !== undefined && a !== undefined && b > a) problems.push(`\`${after}\` runs before \`${before}\``);
      }
    }
  });
  return problems;
}

function unguarded(all: Step[], command: string): string[] {
  return all
    .filter((step) => npmCommand(step.command) === command && !step.guarded)
    .map((step) => `${step.where}: \`${command}\` runs without a when`);
}

/** Jest runs that write no JUnit report for the junit step in post. */
function withoutJunitReport(all: Step[]): string[] {
  return all
    .filter((step) => {
      const script = scriptOf(npmCommand(step.command));
      const runsJest = script !== undefined && Object.hasOwn(scripts, script) && scripts[script]!.startsWith('jest ');
      return runsJest && !step.command.includes('--reporters=jest-junit');
    })
    .map((step) => `${step.where}: \`${step.command}\` writes no JUnit report`);
}

let jenkinsfile: ParserRun;
let syntaxError: ParserRun;
let badSteps: ParserRun;

beforeAll(async () => {
  if (!existsSync(GROOVY_JAR)) throw new Error(`${GROOVY_JAR} is missing: run \`bash scripts/fetch-groovy.sh\``);
  // One JVM per file, started together.
  [jenkinsfile, syntaxError, badSteps] = await Promise.all([
    runParser(JENKINSFILE),
    runParser(SYNTAX_ERROR),
    runParser(BAD_STEPS),
  ]);
}, TIMEOUT_MS);

describe('Jenkinsfile', () => {
  const jenkinsfileSteps = (): Step[] => steps(pipelineOf(jenkinsfile));

  it('parses as Groovy', () => {
    expect({ status: jenkinsfile.status, stderr: jenkinsfile.stderr }).toMatchObject({ status: 0 });
    expect(pipelineOf(jenkinsfile).stages.length).toBeGreaterThan(0);
  });

  it('installs, lints and typechecks, passes the data-quality gate, then runs unit and replay, integration, Docker tests, builds, pushes and deploys', () => {
    expect(outOfOrder(jenkinsfileSteps(), PIPELINE_ORDER)).toEqual([]);
  });

  it('runs the data-quality gate before the unit, replay, integration and Docker tests', () => {
    expect(outOfOrder(jenkinsfileSteps(), [[GATE], HEAVY])).toEqual([]);
  });

  it('runs nothing but npm ci, npm test and npm run <script> in its sh steps', () => {
    expect(jenkinsfileSteps().length).toBeGreaterThan(0);
    expect(notNpm(jenkinsfileSteps())).toEqual([]);
  });

  it('runs only scripts package.json has', () => {
    expect(missingScripts(jenkinsfileSteps())).toEqual([]);
  });

  it('deploys only under a when', () => {
    expect(unguarded(jenkinsfileSteps(), 'npm run deploy')).toEqual([]);
  });

  it('has every Jest run write a JUnit report', () => {
    expect(withoutJunitReport(jenkinsfileSteps())).toEqual([]);
  });
});

describe('the checks on bad Jenkinsfiles', () => {
  it('a syntax error: the parser exits non-zero and names the line', () => {
    expect(syntaxError.status).toBe(1);
    expect(syntaxError.stdout).toBe('');
    expect(syntaxError.stderr).toContain('Jenkinsfile.syntax-error: 12: Unexpected character');
    expect(syntaxError.stderr).toContain('@ line 12, column 18');
  });

  describe('one fault for each check', () => {
    const fixtureSteps = (): Step[] => steps(pipelineOf(badSteps));

    it('a script package.json does not have', () => {
      expect(missingScripts(fixtureSteps())).toEqual([
        "stage 'Smoke' (line 28): `npm run does-not-exist` names no script in package.json",
      ]);
    });

    it('a step that is not npm', () => {
      expect(notNpm(fixtureSteps())).toEqual([
        "stage 'Deploy' (line 38): `docker compose up -d` is not npm ci, npm test or npm run <script>",
      ]);
    });

    it('the data-quality gate after the unit tests', () => {
      expect(outOfOrder(fixtureSteps(), [[GATE], HEAVY])).toEqual([
        '`npm run test:unit` runs before `npm run test:data-quality`',
      ]);
      expect(outOfOrder(fixtureSteps(), PIPELINE_ORDER)).toEqual([
        '`npm run test:unit` runs before `npm run test:data-quality`',
      ]);
    });

    it('a deploy without a when', () => {
      expect(unguarded(fixtureSteps(), 'npm run deploy')).toEqual([
        "stage 'Deploy' (line 38): `npm run deploy` runs without a when",
      ]);
    });

    it('Jest runs without a JUnit report', () => {
      expect(withoutJunitReport(fixtureSteps())).toContain(
        "stage 'Unit' (line 18): `npm run test:unit` writes no JUnit report",
      );
    });
  });
});
