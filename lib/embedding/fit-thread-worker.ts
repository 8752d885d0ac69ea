import { parentPort, workerData } from 'node:worker_threads';
import { fitLsaEmbedder, type LsaConfig } from './lsa-embedder';
import { serializeEmbedder } from './serialize';

/** Runs in a worker thread: fits, reports each step, and sends back the serialized embedder. */
const { texts, config } = workerData as { texts: string[]; config: LsaConfig };
const embedder = fitLsaEmbedder(texts, config, (step) => parentPort!.postMessage({ kind: 'step', step }));
const bytes = serializeEmbedder(embedder);
const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
parentPort!.postMessage({ kind: 'done', buffer }, [buffer as ArrayBuffer]);
