/**
 * Compiles lib/embedding/kernels.wat into kernels.wasm beside it (committed, so neither a build
 * nor a running process needs a WebAssembly toolchain).
 *
 *   npm run build:kernels
 */
import { readFileSync, writeFileSync } from 'node:fs';
import wabt from 'wabt';
import { resolveFromRoot } from '../lib/config/paths';
import { KERNELS_WASM } from '../lib/embedding/kernel-memory';

export const KERNELS_SOURCE = resolveFromRoot(KERNELS_WASM.replace(/\.wasm$/, '.wat'));
export const KERNELS_BINARY = resolveFromRoot(KERNELS_WASM);

export async function compileKernels(source = readFileSync(KERNELS_SOURCE, 'utf8')): Promise<Uint8Array> {
  const parsed = (await wabt()).parseWat('kernels.wat', source, { simd: true, bulk_memory: true });
  try {
    parsed.validate();
    return parsed.toBinary({ log: false, write_debug_names: false }).buffer;
  } finally {
    parsed.destroy();
  }
}

if (require.main === module) {
  compileKernels()
    .then((binary) => {
      writeFileSync(KERNELS_BINARY, binary);
      process.stdout.write(`wrote ${KERNELS_BINARY} (${binary.length} bytes)\n`);
    })
    .catch((error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    });
}
