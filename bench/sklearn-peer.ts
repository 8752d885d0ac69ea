import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveFromRoot } from '../lib/config/paths';

export interface PeerFigures {
  library: string;
  fitSeconds: number;
  abstractsPerSecond: number;
  vocabulary: number;
}

const SINGLE_THREAD = { OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1', MKL_NUM_THREADS: '1' };

/** The project's virtualenv Python, when it exists and has scikit-learn. */
export function peerPython(): string | undefined {
  const python = resolveFromRoot('.venv/bin/python');
  if (!existsSync(python)) return undefined;
  const probe = spawnSync(python, ['-c', 'import sklearn'], { stdio: 'ignore' });
  return probe.status === 0 ? python : undefined;
}

/**
 * Runs bench/sklearn_peer.py on the same texts; they travel through a temporary JSON file because
 * 25,000 abstracts are too much for a command line.
 */
export async function runSklearnPeer(
  python: string,
  corpus: { fit: readonly string[]; embed: readonly string[]; passes: number },
): Promise<PeerFigures> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-embed-'));
  try {
    const input = join(dir, 'corpus.json');
    await writeFile(input, JSON.stringify(corpus));
    const stdout = await new Promise<string>((resolve, reject) => {
      const child = spawn(python, [resolveFromRoot('bench/sklearn_peer.py'), input], {
        env: { ...process.env, ...SINGLE_THREAD },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let out = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
      child.on('error', reject);
      child.on('close', (code) =>
        code === 0 ? resolve(out) : reject(new Error(`the scikit-learn peer exited with code ${code}`)),
      );
    });
    const lastLine = stdout.trim().split('\n').pop() ?? '';
    return JSON.parse(lastLine) as PeerFigures;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
