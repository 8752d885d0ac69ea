import { setTimeout as sleep } from 'node:timers/promises';
import type Redis from 'ioredis';
import { ensureConsumerGroup } from './redis';
import { decodeMessage, fieldsOf, type BufferedPaper, type StreamMessage } from './stream-message';
import { ACKNOWLEDGE_SCRIPT, PUBLISH_SCRIPT } from './stream-scripts';

// The stream's messages, as they have always been imported from here.
export type { BufferedPaper, StreamMessage } from './stream-message';

export interface PaperStreamOptions {
  stream: string;
  group: string;
  /** Producers wait while the stream holds this many entries (back-pressure, never trimming). */
  highWaterMark: number;
  /** Entries pending this long on a consumer are presumed abandoned and may be claimed. */
  claimIdleMs: number;
}

export interface AcknowledgedEntry {
  id: string;
  ingestWorkflowId: string;
  /** `dead`: dead-lettered; else stored as features, with what the write did. */
  outcome: 'inserted' | 'replaced' | 'unchanged' | 'dead';
}

export interface RunOutcomes {
  /** Papers of the run stored as features: inserted + replaced + unchanged. */
  stored: number;
  inserted: number;
  /** Stored before with other content: stored as a new version. */
  replaced: number;
  unchanged: number;
  /** Messages of the run that could not be decoded and went to the dead letters. */
  deadLettered: number;
}

const PUBLISHED_TTL_SECONDS = 7 * 24 * 3600;
export interface BufferDepth {
  /** Entries in the stream: waiting for delivery plus delivered but not yet acknowledged. */
  length: number;
  pending: number;
}

/**
 * The Redis Stream that decouples ingestion from embedding. Consumers in one group share the
 * work; a message is acknowledged and deleted only after its features are stored, so the stream
 * length is exactly the backlog; messages of a crashed consumer are reclaimed after claimIdleMs.
 */
export class PaperStream {
  constructor(
    private readonly redis: Redis,
    readonly options: PaperStreamOptions,
  ) {}

  ensureGroup(): Promise<void> {
    return ensureConsumerGroup(this.redis, this.options.stream, this.options.group);
  }

  async depth(): Promise<BufferDepth> {
    const [length, pendingSummary] = await Promise.all([
      this.redis.xlen(this.options.stream),
      this.redis.xpending(this.options.stream, this.options.group).catch(() => [0]),
    ]);
    return { length, pending: Number((pendingSummary as unknown[])[0] ?? 0) };
  }

  /** Waits (calling onWait meanwhile) until the backlog is below the high-water mark. */
  async waitForRoom(onWait: (length: number) => void = () => undefined, pollMs = 250): Promise<void> {
    for (;;) {
      const length = await this.redis.xlen(this.options.stream);
      if (length < this.options.highWaterMark) return;
      onWait(length);
      await sleep(pollMs);
    }
  }

  /**
   * Appends papers after waiting for room. Each (run, paper id) enters the stream once: a page
   * re-published by a retried extraction is skipped, and a paper the source lists twice is skipped
   * and counted as a duplicate. `itemNumber` is the paper's position in the run's input.
   */
  async publish(
    papers: Array<BufferedPaper & { itemNumber: number }>,
    onWait?: (length: number) => void,
  ): Promise<{ published: number; duplicates: number }> {
    if (papers.length === 0) return { published: 0, duplicates: 0 };
    await this.waitForRoom(onWait);
    let published = 0;
    let duplicates = 0;
    const groups = new Map<string, Array<BufferedPaper & { itemNumber: number }>>();
    for (const paper of papers) {
      const key = `${paper.ingestWorkflowId}\u0000${paper.embedderVersion ?? ''}`;
      const group = groups.get(key);
      if (group) group.push(paper);
      else groups.set(key, [paper]);
    }
    for (const group of groups.values()) {
      const { ingestWorkflowId: run, embedderVersion } = group[0]!;
      const args = group.flatMap((paper) => [
        paper.record.id,
        String(paper.itemNumber),
        JSON.stringify(paper.record),
        paper.rawKey,
      ]);
      const [added, repeated] = (await this.redis.eval(
        PUBLISH_SCRIPT,
        2,
        this.options.stream,
        this.publishedKey(run),
        run,
        String(PUBLISHED_TTL_SECONDS),
        embedderVersion ?? '',
        ...args,
      )) as [number, number];
      published += added;
      duplicates += repeated;
    }
    return { published, duplicates };
  }

  private publishedKey(ingestWorkflowId: string): string {
    return `${this.options.stream}:published:${ingestWorkflowId}`;
  }

  /** Takes over messages another consumer left pending for longer than claimIdleMs. */
  async claimAbandoned(consumer: string, count: number): Promise<StreamMessage[]> {
    const reply = (await this.redis.xautoclaim(
      this.options.stream,
      this.options.group,
      consumer,
      this.options.claimIdleMs,
      '0-0',
      'COUNT',
      count,
    )) as [string, Array<[string, string[]] | null>, string[]?];
    const [, entries, deletedIds] = reply;
    // Entries deleted while pending come back as ids only; acknowledging clears them.
    if (deletedIds && deletedIds.length > 0)
      await this.redis.xack(this.options.stream, this.options.group, ...deletedIds);
    return entries
      .filter((entry): entry is [string, string[]] => entry !== null)
      .map(([id, flat]) => decodeMessage(id, flat));
  }

  /** New messages for this consumer, waiting up to blockMs when there are none. */
  async readNew(consumer: string, count: number, blockMs: number): Promise<StreamMessage[]> {
    const reply = (await this.redis.xreadgroup(
      'GROUP',
      this.options.group,
      consumer,
      'COUNT',
      count,
      'BLOCK',
      blockMs,
      'STREAMS',
      this.options.stream,
      '>',
    )) as Array<[string, Array<[string, string[]]>]> | null;
    if (!reply) return [];
    return reply.flatMap(([, entries]) => entries.map(([id, flat]) => decodeMessage(id, flat)));
  }

  /** Abandoned messages first, then new ones. */
  async read(consumer: string, count: number, blockMs: number): Promise<StreamMessage[]> {
    const claimed = await this.claimAbandoned(consumer, count);
    if (claimed.length > 0) return claimed;
    return this.readNew(consumer, count, blockMs);
  }

  /**
   * Acknowledges, deletes and counts in one atomic step, after the caller has stored the results.
   * Only entries this call actually acknowledged are counted, so per-run counts are exact even
   * when a reclaimed message is processed twice.
   */
  async acknowledge(entries: AcknowledgedEntry[]): Promise<number> {
    if (entries.length === 0) return 0;
    const args = entries.flatMap((entry) => [entry.id, entry.ingestWorkflowId, entry.outcome]);
    const acknowledged = await this.redis.eval(
      ACKNOWLEDGE_SCRIPT,
      1,
      this.options.stream,
      this.options.group,
      this.outcomesPrefix(),
      String(PUBLISHED_TTL_SECONDS),
      ...args,
    );
    return Number(acknowledged);
  }

  private outcomesPrefix(): string {
    return `${this.options.stream}:outcomes:`;
  }

  /** How many of a run's messages were stored as features (new, revised, unchanged papers), and how many were dead-lettered. */
  async outcomes(ingestWorkflowId: string): Promise<RunOutcomes> {
    const [stored, inserted, replaced, unchanged, dead] = await this.redis.hmget(
      `${this.outcomesPrefix()}${ingestWorkflowId}`,
      'stored',
      'inserted',
      'replaced',
      'unchanged',
      'dead',
    );
    return {
      stored: Number(stored ?? 0),
      inserted: Number(inserted ?? 0),
      replaced: Number(replaced ?? 0),
      unchanged: Number(unchanged ?? 0),
      deadLettered: Number(dead ?? 0),
    };
  }

  private doneKey(ingestWorkflowId: string): string {
    return `${this.options.stream}:producer-done:${ingestWorkflowId}`;
  }

  private rawObjectsKey(ingestWorkflowId: string): string {
    return `${this.options.stream}:raw-objects:${ingestWorkflowId}`;
  }

  /** Remembers the raw batch a run's page landed in (idempotent), so the run's progress needs only a count. */
  async recordRawObject(ingestWorkflowId: string, rawKey: string): Promise<number> {
    const key = this.rawObjectsKey(ingestWorkflowId);
    const results = await this.redis.multi().sadd(key, rawKey).expire(key, PUBLISHED_TTL_SECONDS).scard(key).exec();
    return Number(results?.[2]?.[1] ?? 0);
  }

  /** The raw batches a run recorded, in lexical order. */
  async rawObjects(ingestWorkflowId: string): Promise<string[]> {
    return (await this.redis.smembers(this.rawObjectsKey(ingestWorkflowId))).sort();
  }

  /** Marks that an ingestion run has published everything it will publish. */
  async markProducerDone(ingestWorkflowId: string): Promise<void> {
    await this.redis.set(this.doneKey(ingestWorkflowId), new Date().toISOString(), 'EX', PUBLISHED_TTL_SECONDS);
  }

  async isProducerDone(ingestWorkflowId: string): Promise<boolean> {
    return (await this.redis.exists(this.doneKey(ingestWorkflowId))) === 1;
  }

  /** Forgets consumers that hold nothing and have been idle for a long time (crashed workers). */
  async pruneIdleConsumers(idleMs: number): Promise<number> {
    const consumers = (await this.redis.xinfo('CONSUMERS', this.options.stream, this.options.group)) as unknown[][];
    let removed = 0;
    for (const consumer of consumers) {
      const info = fieldsOf(consumer.map(String));
      if (Number(info.pending) === 0 && Number(info.idle) > idleMs) {
        await this.redis.xgroup('DELCONSUMER', this.options.stream, this.options.group, info.name!);
        removed += 1;
      }
    }
    return removed;
  }
}
