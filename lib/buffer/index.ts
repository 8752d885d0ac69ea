export { PaperStream } from './paper-stream';
export type { BufferedPaper, StreamMessage, PaperStreamOptions, BufferDepth, AcknowledgedEntry } from './paper-stream';
export { connectRedis, RedisUnavailableError } from './redis';
