import * as tf from '@tensorflow/tfjs';

export type Tf = typeof tf;

let ready: Promise<{ tf: Tf; backend: string }> | undefined;

function hasTfjsNode(): boolean {
  try {
    require.resolve('@tensorflow/tfjs-node');
    return true;
  } catch {
    return false;
  }
}

/**
 * TensorFlow.js on the fastest backend this machine has: tfjs-node (native TensorFlow) when it is
 * installed, else WebAssembly, which trains an MLP several times faster than the pure-JS backend.
 */
export function loadTf(): Promise<{ tf: Tf; backend: string }> {
  ready ??= (async () => {
    if (hasTfjsNode()) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- optional native backend, loaded only when present
      require('@tensorflow/tfjs-node');
      await tf.setBackend('tensorflow');
    } else {
      await import('@tensorflow/tfjs-backend-wasm');
      await tf.setBackend('wasm');
    }
    await tf.ready();
    return { tf, backend: tf.getBackend() };
  })();
  return ready;
}
