import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SourceSpecError } from '../../../lib/arxiv/source-spec';
import { openSource, SAMPLE_PATH, type SourceOptions, type SourcePage } from '../../../lib/arxiv/sources';
import { acceptedRecords, collect, FIXTURES, fixturePath, ids, sourceOptions } from './helpers';

/** Snapshot files need no server: the API and OAI-PMH URLs lead to a port nothing answers on. */
const options = (overrides: Partial<SourceOptions> = {}) => sourceOptions(undefined, overrides);

describe('openSource', () => {
  describe('snapshot files', () => {
    const KAGGLE = fixturePath('snapshots', 'kaggle-snapshot_head50.jsonl');

    it('pages through a file and resumes after the last line of a page', async () => {
      const source = openSource({ kind: 'file', path: KAGGLE }, options({ pageSize: 20 }));
      expect(source.label).toBe(`file:${KAGGLE}`);
      const pages = await collect(source.pages({ offset: 0 }));
      expect(pages.map(({ cursor, items }) => ({ cursor, items: items.length }))).toEqual([
        { cursor: { offset: 20 }, items: 20 },
        { cursor: { offset: 40 }, items: 20 },
        { cursor: { offset: 50 }, items: 10 },
      ]);
      const resumed = await collect(source.pages({ offset: 40 }));
      expect(ids(resumed)).toEqual(ids(pages).slice(40));
      expect(ids(resumed)[0]).toBe('0704.0041');
    });

    it('refuses a relative path: the client that starts the run resolves it, never the worker', () => {
      const cwd = jest.spyOn(process, 'cwd').mockReturnValue(FIXTURES);
      try {
        expect(() => openSource({ kind: 'file', path: 'snapshots/kaggle-snapshot_head50.jsonl' }, options())).toThrow(
          new SourceSpecError(
            'file:snapshots/kaggle-snapshot_head50.jsonl is a relative path: the client that starts the run resolves it (mlops run ingest does), the worker takes absolute paths only',
          ),
        );
      } finally {
        cwd.mockRestore();
      }
    });

    it('refuses a file outside the allowed roots, without saying whether it exists', () => {
      for (const path of [
        '/proc/self/environ',
        '/etc/passwd',
        '/nonexistent/secret.jsonl',
        fixturePath('..', '..', 'support', 'papers.ts'),
        `${FIXTURES}-sibling/x.jsonl`,
      ]) {
        expect(() => openSource({ kind: 'file', path }, options())).toThrow(
          /is outside the folders ingestion may read \(INGEST_FILE_ROOTS: .*fixtures\/arxiv\): add its folder to INGEST_FILE_ROOTS/,
        );
      }
    });

    it('refuses a symbolic link inside a root that leads outside it', () => {
      const dir = mkdtempSync(join(tmpdir(), 'sources-link-'));
      try {
        symlinkSync('/etc/hostname', join(dir, 'innocent.jsonl'));
        expect(() =>
          openSource({ kind: 'file', path: join(dir, 'innocent.jsonl') }, options({ fileRoots: [dir] })),
        ).toThrow(/is outside the folders ingestion may read/);
        symlinkSync(fixturePath('snapshots', 'kaggle-snapshot_head50.jsonl'), join(dir, 'inside.jsonl'));
        expect(
          openSource({ kind: 'file', path: join(dir, 'inside.jsonl') }, options({ fileRoots: [dir, FIXTURES] })).label,
        ).toBe(`file:${join(dir, 'inside.jsonl')}`);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('refuses what is not a regular file (a device, a folder) even inside a root', () => {
      expect(() => openSource({ kind: 'file', path: '/dev/zero' }, options({ fileRoots: ['/dev'] }))).toThrow(
        /\/dev\/zero is not a regular file/,
      );
      expect(() => openSource({ kind: 'file', path: fixturePath('snapshots') }, options())).toThrow(
        /is not a regular file/,
      );
    });

    it('throws SourceSpecError for a file that does not exist', () => {
      expect(() => openSource({ kind: 'file', path: fixturePath('snapshots', 'missing.jsonl') }, options())).toThrow(
        SourceSpecError,
      );
      expect(() => openSource({ kind: 'file', path: fixturePath('snapshots', 'missing.jsonl') }, options())).toThrow(
        /snapshot file not found: .*missing\.jsonl/,
      );
    });

    it(`reads the bundled sample (${SAMPLE_PATH}) for "sample"`, async () => {
      const source = openSource({ kind: 'sample' }, options({ pageSize: 25 }));
      expect(source.label).toBe('sample');
      const pages = source.pages({ offset: 0 });
      try {
        const first = await pages.next();
        expect(first.done).toBe(false);
        const page = first.value as SourcePage;
        expect(acceptedRecords(page.items)).toHaveLength(25);
        expect(page.cursor).toEqual({ offset: 25 });
      } finally {
        await pages.return(undefined);
      }
    });
  });
});
