import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorInput, runMonitor } from '../../../cli/commands/monitor';
import { MonitorArgumentError } from '../../../cli/commands/monitor-options';
import { createReporter } from '../../../cli/output';
import type { AppConfig } from '../../../lib/config/config';

const VALID =
  'ks, chisquare, z, wasserstein, jensenshannon, psi, kl_div, hellinger, perc_text_content_drift, abs_text_content_drift';

describe('mlops run monitor --stattest', () => {
  const dir = mkdtempSync(join(tmpdir(), 'monitor-options-'));
  const csv = (name: string, header: string, row: (i: number) => string) => {
    const path = join(dir, name);
    writeFileSync(path, `${header}\n${Array.from({ length: 40 }, (_, i) => row(i)).join('\n')}\n`);
    return path;
  };
  // Titles alone: the test named is looked up for a text column (where "toString" once crashed with a TypeError).
  const titles = [0, 3].map((shift) =>
    csv(`titles-${shift}.csv`, 'title', (i) => `title number ${i + shift} about topic ${i % 7}`),
  );
  const tabular = [0, 5].map((shift) =>
    csv(`tabular-${shift}.csv`, 'x,kind', (i) => `${i + shift},${i % 3 ? 'a' : 'b'}`),
  );
  // A comparison of two CSVs reads neither the configuration's services nor Temporal.
  const config = { temporal: { taskQueues: {} } } as unknown as AppConfig;
  const noClient = () => Promise.reject(new Error('no Temporal here'));
  const monitor = ([reference, current]: string[], stattest: string) =>
    runMonitor(
      config,
      { reference: `file:${reference}`, current: `file:${current}`, out: join(dir, 'report.html'), stattest },
      createReporter(true),
      noClient,
    );

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each(['toString', 'constructor', '__proto__', 'hasOwnProperty', 'nope'])(
    'refuses "%s" as a usage error naming the valid tests',
    async (name) => {
      const message = `--stattest "${name}": use one of ${VALID}`;
      await expect(monitor(titles, name)).rejects.toThrow(new MonitorArgumentError(message));
      await expect(monitor(titles, name)).rejects.toBeInstanceOf(MonitorArgumentError);
      expect(() => monitorInput(config, { kind: 'serving' }, { by: 'ingested', days: 7 }, { stattest: name })).toThrow(
        new MonitorArgumentError(message),
      );
    },
  );

  it('runs every column with a valid test', async () => {
    const report = await monitor(tabular, 'psi');
    expect(report.columns.map((column) => [column.column, column.test])).toEqual([
      ['x', 'psi'],
      ['kind', 'psi'],
    ]);
  });
});
