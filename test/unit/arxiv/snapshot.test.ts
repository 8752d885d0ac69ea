import { createWriteStream, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip, gzipSync } from 'node:zlib';
import type { ExtractedItem } from '../../../lib/arxiv/extracted';
import { parseSnapshotLine, readSnapshot, type SnapshotLine } from '../../../lib/arxiv/snapshot';
import { acceptedRecords, collect, fixtureLines, fixturePath, onlyRecord } from './helpers';

const KAGGLE_PATH = fixturePath('snapshots', 'kaggle-snapshot_head50.jsonl');
const KAGGLE = fixtureLines('snapshots', 'kaggle-snapshot_head50.jsonl');
const NORMALIZED = fixtureLines('snapshots', 'normalized-export_4rows.jsonl');

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'arxiv-snapshot-test-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function write(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

const items = (lines: SnapshotLine[]): ExtractedItem[] => lines.map(({ item }) => item);

describe('parseSnapshotLine', () => {
  describe('Kaggle arxiv-metadata-oai-snapshot format', () => {
    it('takes published from versions[0].created and updated from update_date', () => {
      expect(onlyRecord([parseSnapshotLine(KAGGLE[0]!)])).toEqual({
        id: '0704.0001',
        title: 'Calculation of prompt diphoton production cross sections at Tevatron and LHC energies',
        abstract: expect.stringMatching(
          /^A fully differential calculation in perturbative quantum chromodynamics is presented for the production/,
        ) as unknown as string,
        categories: ['hep-ph'],
        primaryCategory: 'hep-ph',
        published: '2007-04-02T19:18:42Z',
        updated: '2008-11-26T00:00:00Z',
      });
    });

    it('splits the space-separated categories string, first code as primary', () => {
      expect(onlyRecord([parseSnapshotLine(KAGGLE[1]!)])).toMatchObject({
        id: '0704.0002',
        categories: ['math.CO', 'cs.CG'],
        primaryCategory: 'math.CO',
      });
    });

    it('accepts all 50 real rows', () => {
      const records = acceptedRecords(KAGGLE.map(parseSnapshotLine));
      expect(records).toHaveLength(50);
      expect(records.map(({ id }) => id)).toEqual(
        Array.from({ length: 50 }, (_, index) => `0704.${String(index + 1).padStart(4, '0')}`),
      );
    });
  });

  describe('normalized export format', () => {
    const [minorityGame, regression, prosthetic, multifluid] = NORMALIZED.map((line) =>
      onlyRecord([parseSnapshotLine(line)]),
    );

    it('reads primary_category and a "YYYY-MM-DD HH:MM:SS" published time as UTC', () => {
      expect(minorityGame).toMatchObject({
        id: 'cond-mat/9909265',
        title: 'Modeling Market Mechanism with Minority Game',
        categories: ['cond-mat.stat-mech', 'cond-mat.dis-nn', 'q-fin.TR'],
        primaryCategory: 'cond-mat.stat-mech',
        published: '1999-09-17T14:39:02Z',
        updated: null,
      });
    });

    it('uses the arXiv-only categories string, not categories_raw with its MSC/ACM classes', () => {
      expect(regression).toMatchObject({
        id: '1301.6939',
        categories: ['cs.CL', 'cs.LG'],
        title: 'Multi-Step Regression Learning for Compositional Distributional Semantics',
      });
    });

    it('falls back to listing_date when there is no published time', () => {
      expect(prosthetic).toMatchObject({
        id: '2503.11677',
        categories: ['cs.HC', 'cs.CV'],
        primaryCategory: 'cs.HC',
        published: '2025-03-18T00:00:00Z',
      });
    });

    it('keeps old-style ids and legacy primary archives (astro-ph/9605151)', () => {
      expect(multifluid).toMatchObject({
        id: 'astro-ph/9605151',
        categories: ['astro-ph', 'astro-ph.CO'],
        primaryCategory: 'astro-ph',
      });
    });

    it('lets primary_category win over the order of categories', () => {
      const row = { ...(JSON.parse(NORMALIZED[0]!) as Record<string, unknown>), primary_category: 'q-fin.TR' };
      expect(onlyRecord([parseSnapshotLine(JSON.stringify(row))]).categories).toEqual([
        'q-fin.TR',
        'cond-mat.stat-mech',
        'cond-mat.dis-nn',
      ]);
    });
  });
});

describe('readSnapshot', () => {
  it('streams a plain JSONL file with 1-based line numbers', async () => {
    const lines = await collect(readSnapshot(KAGGLE_PATH));
    expect(lines.map(({ line }) => line)).toEqual(Array.from({ length: 50 }, (_, index) => index + 1));
    expect(acceptedRecords(items(lines))).toHaveLength(50);
  });

  it('reads a gzipped file to the same items, recognising gzip by its magic bytes rather than its name', async () => {
    const plain = await collect(readSnapshot(KAGGLE_PATH));
    const gzipped = write('kaggle.jsonl.gz', gzipSync(readFileSync(KAGGLE_PATH)));
    const misnamed = write('kaggle-really-gzipped.jsonl', gzipSync(readFileSync(KAGGLE_PATH)));
    expect(await collect(readSnapshot(gzipped))).toEqual(plain);
    expect(await collect(readSnapshot(misnamed))).toEqual(plain);
  });

  it('skips blank and whitespace-only lines without counting them, and handles CRLF line ends', async () => {
    const path = write('blank-lines.jsonl', ['', KAGGLE[0], '   ', '', KAGGLE[1], '\t', KAGGLE[2], ''].join('\r\n'));
    const lines = await collect(readSnapshot(path));
    expect(lines.map(({ line, item }) => [line, item.ok && item.record.id])).toEqual([
      [1, '0704.0001'],
      [2, '0704.0002'],
      [3, '0704.0003'],
    ]);
  });

  it('resumes after skipLines non-blank lines', async () => {
    const path = write(
      'resume.jsonl.gz',
      gzipSync(['', ...KAGGLE.slice(0, 10).flatMap((line) => [line, ''])].join('\n')),
    );
    const lines = await collect(readSnapshot(path, { skipLines: 7 }));
    expect(lines.map(({ line, item }) => [line, item.ok && item.record.id])).toEqual([
      [8, '0704.0008'],
      [9, '0704.0009'],
      [10, '0704.0010'],
    ]);
    expect(await collect(readSnapshot(path, { skipLines: 10 }))).toEqual([]);
  });

  it('accounts for every line: extracted = accepted + rejected', async () => {
    const mixed = [
      KAGGLE[0],
      KAGGLE[1].slice(0, 150), // cut off mid-record
      '',
      KAGGLE[2],
      '["0704.0004"]',
      NORMALIZED[0],
      JSON.stringify({ ...(JSON.parse(KAGGLE[4]!) as object), abstract: '' }),
      JSON.stringify({ ...(JSON.parse(KAGGLE[5]!) as object), categories: '68T50' }),
      '   ',
      KAGGLE[6],
      '{"id": "0704.0008", "title": "Numerical solution of shock and ramp compression"', // truncated
    ].join('\n');
    const lines = await collect(readSnapshot(write('mixed.jsonl', mixed)));
    const extracted = lines.length;
    const accepted = acceptedRecords(items(lines)).length;
    const rejectedByReason: Record<string, number> = {};
    for (const { item } of lines)
      if (!item.ok) rejectedByReason[item.reason] = (rejectedByReason[item.reason] ?? 0) + 1;
    const rejected = Object.values(rejectedByReason).reduce((sum, count) => sum + count, 0);

    expect({ extracted, accepted, rejected }).toEqual({ extracted: 9, accepted: 4, rejected: 5 });
    expect(extracted).toBe(accepted + rejected);
    expect(rejectedByReason).toEqual({
      malformed_json: 2,
      not_an_object: 1,
      missing_abstract: 1,
      no_arxiv_category: 1,
    });
    expect(lines.filter(({ item }) => !item.ok).map(({ line }) => line)).toEqual([2, 4, 6, 7, 9]);
  });

  it('fails loudly on a truncated gzip file instead of ending early', async () => {
    const whole = gzipSync(readFileSync(KAGGLE_PATH));
    const truncated = write('truncated.jsonl.gz', whole.subarray(0, Math.floor(whole.length * 0.8)));
    await expect(collect(readSnapshot(truncated))).rejects.toThrow(/unexpected end of file/);
  });

  // Before the fix these crashed the process with an unhandled stream 'error' event.
  it('rejects a missing file instead of crashing the process', async () => {
    await expect(collect(readSnapshot(join(dir, 'does-not-exist.jsonl')))).rejects.toThrow(/ENOENT/);
  });

  it('rejects a directory given as the snapshot path', async () => {
    await expect(collect(readSnapshot(dir))).rejects.toThrow(/EISDIR/);
  });

  it('rejects a line over maxLineBytes as line_too_long with an excerpt, and reads on with the numbering intact', async () => {
    const long = `{"id": "0704.9999", "title": "${'t'.repeat(5_000)}"}`;
    const path = write('long-line.jsonl', [KAGGLE[0], long, KAGGLE[1]].join('\n'));
    const lines = await collect(readSnapshot(path, { maxLineBytes: 4_096 }));
    expect(lines.map(({ line, item }) => [line, item.ok ? item.record.id : item.reason])).toEqual([
      [1, '0704.0001'],
      [2, 'line_too_long'],
      [3, '0704.0002'],
    ]);
    const rejected = lines[1]!.item;
    if (rejected.ok) throw new Error('expected a rejection');
    expect(rejected.detail).toBe(
      `the line has ${long.length} bytes or more, over the limit of 4096 (INGEST_MAX_LINE_BYTES)`,
    );
    expect(rejected.raw.startsWith('{"id": "0704.9999", "title": "ttt')).toBe(true);
    expect(rejected.raw.length).toBeLessThanOrEqual(2_001);
    // A line of exactly the limit is read and judged on its content (here: it has no abstract).
    expect((await collect(readSnapshot(path, { maxLineBytes: long.length })))[1]!.item).toMatchObject({
      ok: false,
      reason: 'missing_abstract',
    });
    expect((await collect(readSnapshot(path, { maxLineBytes: long.length - 1 })))[1]!.item).toMatchObject({
      ok: false,
      reason: 'line_too_long',
    });
    // A resumed read counts the long line like any other.
    expect((await collect(readSnapshot(path, { maxLineBytes: 4_096, skipLines: 2 }))).map(({ line }) => line)).toEqual([
      3,
    ]);
  });

  it('reads a small gzip holding a 512 MiB line in bounded memory (the line is never held whole)', async () => {
    const path = join(dir, 'bomb.jsonl.gz');
    const chunk = Buffer.alloc(1024 * 1024, 'a'.charCodeAt(0));
    async function* bomb() {
      yield Buffer.from(`${KAGGLE[0]}\n{"id": "`);
      for (let i = 0; i < 512; i += 1) yield chunk;
      yield Buffer.from(`"}\n${KAGGLE[1]}\n`);
    }
    await pipeline(Readable.from(bomb()), createGzip({ level: 1 }), createWriteStream(path));
    expect(statSync(path).size).toBeLessThan(4 * 1024 * 1024);

    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
    try {
      const lines = await collect(readSnapshot(path, { maxLineBytes: 1024 * 1024 }));
      expect(lines.map(({ item }) => (item.ok ? item.record.id : item.reason))).toEqual([
        '0704.0001',
        'line_too_long',
        '0704.0002',
      ]);
    } finally {
      clearInterval(sampler);
    }
    expect(peak - before).toBeLessThan(128 * 1024 * 1024);
  }, 60_000);
});
