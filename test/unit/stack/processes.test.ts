import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import {
  formatPidFile,
  identityMatches,
  isAlive,
  launch,
  managedProcess,
  mentionsProgram,
  parsePidFile,
  parseProcStat,
  procAvailable,
  readProcessIdentity,
  runningPid,
  terminate,
  type ProcessIdentity,
} from '../../../stack/processes';

/** A /proc/<pid>/stat line with every field after the command name, start time (field 22) included. */
function statLine(pid: number, comm: string, startTime: string): string {
  const fields = [
    'S',
    '1',
    String(pid),
    String(pid),
    '0',
    '-1',
    '4194560',
    '120',
    '0',
    '0',
    '0',
    '3',
    '1',
    '0',
    '0',
    '20',
    '0',
    '1',
    '0',
    startTime,
    '6877184',
    '393',
  ];
  return `${pid} (${comm}) ${fields.join(' ')}\n`;
}

const onLinux = procAvailable() ? it : it.skip;
const thisProgram = basename(process.argv0);

describe('parseProcStat', () => {
  it('reads pid, command name, state and start time (field 22)', () => {
    expect(parseProcStat(statLine(4242, 'redis-server', '987654'))).toEqual({
      pid: 4242,
      comm: 'redis-server',
      state: 'S',
      startTime: '987654',
    });
  });

  it('counts fields from the last parenthesis when the command name holds spaces and parentheses', () => {
    expect(parseProcStat(statLine(17, 'a) b (c) 9 9', '555'))).toEqual({
      pid: 17,
      comm: 'a) b (c) 9 9',
      state: 'S',
      startTime: '555',
    });
    expect(parseProcStat(statLine(18, ')', '1'))?.startTime).toBe('1');
  });

  it('rejects text that is not a stat line', () => {
    expect(parseProcStat('')).toBeUndefined();
    expect(parseProcStat('42 (truncated) S 1 2')).toBeUndefined();
    expect(parseProcStat(statLine(42, 'x', 'not-a-number'))).toBeUndefined();
    expect(parseProcStat(statLine(42, 'x', '1').replace(/^42/, 'abc'))).toBeUndefined();
  });

  onLinux('parses the stat file of this test process', () => {
    const stat = parseProcStat(readFileSync('/proc/self/stat', 'utf8'));
    expect(stat?.pid).toBe(process.pid);
    expect(stat?.startTime).toMatch(/^\d+$/);
  });
});

describe('parsePidFile', () => {
  it('reads a bare number written by older launches as a record without identity', () => {
    expect(parsePidFile('1234\n')).toEqual({ pid: 1234 });
  });

  it('round-trips a record with its identity', () => {
    const record = { pid: 99, program: 'redis-server', startTime: '123', bootId: 'b-1' };
    expect(parsePidFile(formatPidFile(record))).toEqual(record);
  });

  it('rejects files that name no usable pid', () => {
    for (const text of ['', 'abc', '-5', '0', '{"pid":"12"}', '{"pid":1.5}', '{not json'])
      expect(parsePidFile(text)).toBeUndefined();
  });
});

describe('mentionsProgram', () => {
  it('matches the base name of an argument, or of a word of a rewritten process title', () => {
    expect(mentionsProgram('/usr/bin/redis-server\0--port\x006379\0', 'redis-server')).toBe(true);
    expect(mentionsProgram('/usr/bin/redis-server 127.0.0.1:6379', 'redis-server')).toBe(true);
    expect(mentionsProgram('/work/.venv/bin/python3\0/work/.venv/bin/mlflow\0server\0', 'mlflow')).toBe(true);
  });

  it('does not match a program name inside a longer name or a folder name', () => {
    expect(mentionsProgram('/usr/bin/redis-server-extra\0', 'redis-server')).toBe(false);
    expect(mentionsProgram('/srv/mlflow/bin/gunicorn\0', 'mlflow')).toBe(false);
    expect(mentionsProgram('', 'mlflow')).toBe(false);
  });
});

describe('identityMatches', () => {
  const live: ProcessIdentity = { startTime: '5000', cmdline: '/opt/bin/weed\0mini\0', bootId: 'boot-a' };

  it('accepts the launched process: same start time, same boot, program on its command line', () => {
    expect(identityMatches({ pid: 7, program: 'weed', startTime: '5000', bootId: 'boot-a' }, live)).toBe(true);
  });

  it('rejects a process that reuses the pid but started at another time', () => {
    expect(identityMatches({ pid: 7, program: 'weed', startTime: '4999', bootId: 'boot-a' }, live)).toBe(false);
  });

  it('rejects a process from another boot even with an equal start time', () => {
    expect(identityMatches({ pid: 7, program: 'weed', startTime: '5000', bootId: 'boot-b' }, live)).toBe(false);
  });

  it('rejects a process that runs another program', () => {
    expect(identityMatches({ pid: 7, program: 'mongod', startTime: '5000', bootId: 'boot-a' }, live)).toBe(false);
  });

  it('rejects a pid /proc does not show', () => {
    expect(identityMatches({ pid: 7, program: 'weed', startTime: '5000' }, undefined)).toBe(false);
  });

  it('trusts a bare-number pid only while it runs one of the legacy programs', () => {
    expect(identityMatches({ pid: 7 }, live, ['mongod', 'weed'])).toBe(true);
    expect(identityMatches({ pid: 7 }, live, ['redis-server'])).toBe(false);
    expect(identityMatches({ pid: 7 }, live)).toBe(false);
  });
});

describe('runningPid', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'processes-test-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('returns nothing when there is no pid file', () => {
    expect(runningPid(managedProcess(dir))).toBeUndefined();
  });

  it('deletes a pid file whose process is gone or that names no pid', () => {
    const proc = managedProcess(dir, [thisProgram]);
    for (const text of ['garbage', '2147483646']) {
      writeFileSync(proc.pidFile, text);
      expect(runningPid(proc)).toBeUndefined();
      expect(existsSync(proc.pidFile)).toBe(false);
    }
  });

  onLinux('trusts a bare-number pid file while the live process runs a legacy program', () => {
    const proc = managedProcess(dir, ['redis-server', thisProgram]);
    writeFileSync(proc.pidFile, String(process.pid));
    expect(runningPid(proc)).toBe(process.pid);
    expect(existsSync(proc.pidFile)).toBe(true);
  });

  onLinux('deletes a bare-number pid file whose live process runs an unrelated program', () => {
    for (const legacyPrograms of [['redis-server'], []]) {
      const proc = managedProcess(dir, legacyPrograms);
      writeFileSync(proc.pidFile, String(process.pid));
      expect(runningPid(proc)).toBeUndefined();
      expect(existsSync(proc.pidFile)).toBe(false);
    }
  });

  onLinux('trusts a recorded identity that matches the live process, and deletes one that does not', () => {
    const proc = managedProcess(dir);
    const identity = readProcessIdentity(process.pid);
    expect(identity).toBeDefined();
    const record = { pid: process.pid, program: thisProgram, startTime: identity?.startTime, bootId: identity?.bootId };
    writeFileSync(proc.pidFile, formatPidFile(record));
    expect(runningPid(proc)).toBe(process.pid);
    writeFileSync(proc.pidFile, formatPidFile({ ...record, startTime: `${identity?.startTime ?? ''}1` }));
    expect(runningPid(proc)).toBeUndefined();
    expect(existsSync(proc.pidFile)).toBe(false);
  });
});

describe('launch and terminate', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'processes-test-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('records the launched process, finds it running, and stops it', async () => {
    const proc = managedProcess(dir);
    const pid = launch(proc, 'sleep', ['30'], { cwd: dir });
    try {
      const record = parsePidFile(readFileSync(proc.pidFile, 'utf8'));
      expect(record).toMatchObject({ pid, program: 'sleep' });
      if (procAvailable()) expect(record?.startTime).toBe(readProcessIdentity(pid)?.startTime);
      expect(runningPid(proc)).toBe(pid);
      await expect(terminate(proc, 5_000)).resolves.toBe(true);
      expect(isAlive(pid)).toBe(false);
      expect(existsSync(proc.pidFile)).toBe(false);
      expect(runningPid(proc)).toBeUndefined();
    } finally {
      if (isAlive(pid)) process.kill(pid, 'SIGKILL');
    }
  });

  onLinux('treats the pid file as stale once the recorded start time no longer matches', async () => {
    const proc = managedProcess(dir);
    const pid = launch(proc, 'sleep', ['30'], { cwd: dir });
    try {
      const record = parsePidFile(readFileSync(proc.pidFile, 'utf8'));
      writeFileSync(proc.pidFile, formatPidFile({ pid, program: 'sleep', startTime: '1', bootId: record?.bootId }));
      expect(runningPid(proc)).toBeUndefined();
      await expect(terminate(proc, 1_000)).resolves.toBe(false);
      expect(isAlive(pid)).toBe(true);
    } finally {
      process.kill(pid, 'SIGKILL');
    }
  });
});
