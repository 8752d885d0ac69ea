export { PaperStream } from './paper-stream';
export type { PaperStreamOptions, BufferDepth, AcknowledgedEntry } from './paper-stream';
export type { BufferedPaper, StreamMessage } from './stream-message';
export { connectRedis, RedisUnavailableError } from './redis';
