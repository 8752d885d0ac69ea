import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../../..');
const SOURCE_FOLDERS = ['lib', 'activities', 'workflows', 'worker', 'api', 'cli', 'stack', 'bench', 'scripts'];

type DependencyTree = Record<string, Array<{ id: string | null }> | null>;

/**
 * Every import between the project's own modules, type-only imports included (dpdm without
 * --transform), and the cycles among them. dpdm runs as its command: its library is an ES module
 * Jest's CommonJS runtime cannot load.
 */
function importGraph(root: string, folders: string[]): { tree: DependencyTree; cycles: string[] } {
  const output = join(mkdtempSync(join(tmpdir(), 'dpdm-')), 'graph.json');
  try {
    const run = spawnSync(
      process.execPath,
      [
        require.resolve('dpdm/lib/bin/dpdm.js'),
        '--no-tree',
        '--no-warning',
        '--no-circular',
        '--no-progress',
        '-T',
        'false',
        '--exclude',
        'node_modules|\\.d\\.ts$',
        '-o',
        output,
        ...folders.map((folder) => `${folder}/**/*.ts`),
      ],
      { cwd: root, encoding: 'utf8' },
    );
    if (run.status !== 0) throw new Error(`dpdm exited ${run.status}: ${run.stderr}`);
    const graph = JSON.parse(readFileSync(output, 'utf8')) as { tree: DependencyTree; circulars: string[][] };
    return { tree: graph.tree, cycles: graph.circulars.map((cycle) => cycle.join(' → ')) };
  } finally {
    rmSync(resolve(output, '..'), { recursive: true, force: true });
  }
}

/** Imports of `from` modules that resolve into one of `forbidden` folders. */
function importsInto(tree: DependencyTree, from: string, forbidden: string[]): string[] {
  const found: string[] = [];
  for (const [file, dependencies] of Object.entries(tree)) {
    if (!file.startsWith(`${from}/`) || !dependencies) continue;
    for (const dependency of dependencies) {
      const target = dependency.id ? relative(ROOT, resolve(ROOT, dependency.id)) : '';
      if (forbidden.some((folder) => target.startsWith(`${folder}/`))) found.push(`${file} → ${target}`);
    }
  }
  return found;
}

describe('imports', () => {
  let tree: DependencyTree;
  let cycles: string[];
  beforeAll(() => {
    ({ tree, cycles } = importGraph(ROOT, SOURCE_FOLDERS));
  }, 60_000);

  it('read every source folder', () => {
    for (const folder of SOURCE_FOLDERS)
      expect(Object.keys(tree).some((file) => file.startsWith(`${folder}/`))).toBe(true);
  });

  it('form no cycle, type-only imports included', () => {
    expect(cycles).toEqual([]);
  });

  it('flow one way: lib/ reaches no layer above it, workflows/ no process entry point', () => {
    expect(importsInto(tree, 'lib', ['activities', 'workflows', 'worker', 'api', 'cli', 'stack', 'bench'])).toEqual([]);
    expect(importsInto(tree, 'workflows', ['worker', 'api', 'cli', 'stack', 'bench'])).toEqual([]);
    expect(importsInto(tree, 'activities', ['worker', 'api', 'cli', 'bench'])).toEqual([]);
  });

  it('the check finds a cycle made of type-only imports', () => {
    const folder = mkdtempSync(join(tmpdir(), 'import-cycle-'));
    try {
      writeFileSync(join(folder, 'a.ts'), "import type { B } from './b';\nexport interface A { b: B }\n");
      writeFileSync(join(folder, 'b.ts'), "import type { A } from './a';\nexport interface B { a?: A }\n");
      const { cycles } = importGraph(folder, ['.']);
      expect(cycles).toHaveLength(1);
      expect(cycles[0]).toMatch(/a\.ts → b\.ts|b\.ts → a\.ts/);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
