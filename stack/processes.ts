import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** A background process the stack launched, remembered by a pid file in its data folder. */
export interface ManagedProcess {
  pidFile: string;
  logFile: string;
  /**
   * Programs a bare-number pid file (written before launches recorded the process identity) may name:
   * such a pid is trusted only while its command line shows one of them.
   */
  legacyPrograms: readonly string[];
}

export function managedProcess(engineDir: string, legacyPrograms: readonly string[] = []): ManagedProcess {
  return { pidFile: join(engineDir, 'engine.pid'), logFile: join(engineDir, 'engine.log'), legacyPrograms };
}

/** What a pid file says about the process it names, enough to tell it from a later process that reuses the pid. */
export interface PidRecord {
  pid: number;
  /** Base name of the launched executable. */
  program?: string;
  /** Field 22 of /proc/<pid>/stat at launch: clock ticks between boot and the start of the process. */
  startTime?: string;
  /** /proc/sys/kernel/random/boot_id at launch: start times count from zero again after a reboot. */
  bootId?: string;
}

/** A live process as /proc shows it. */
export interface ProcessIdentity {
  startTime: string;
  /** /proc/<pid>/cmdline: arguments separated by NUL characters; a program may rewrite it (redis-server does). */
  cmdline: string;
  bootId?: string;
}

export interface ProcStat {
  pid: number;
  comm: string;
  state: string;
  startTime: string;
}

const START_TIME_FIELD = 22;
const FIRST_FIELD_AFTER_COMM = 3;

/**
 * Parses /proc/<pid>/stat. The command name (field 2) is in parentheses and may itself contain spaces
 * and parentheses, so the fields after it are counted from the last ')'.
 */
export function parseProcStat(text: string): ProcStat | undefined {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 1 || close < open) return undefined;
  const pid = Number(text.slice(0, open));
  const fields = text
    .slice(close + 1)
    .trim()
    .split(/\s+/);
  const state = fields[0];
  const startTime = fields[START_TIME_FIELD - FIRST_FIELD_AFTER_COMM];
  if (!Number.isInteger(pid) || pid <= 0 || !state || startTime === undefined || !/^\d+$/.test(startTime))
    return undefined;
  return { pid, comm: text.slice(open + 1, close), state, startTime };
}

/** Reads a pid file's text: a JSON PidRecord, or a bare number from launches that recorded nothing else. */
export function parsePidFile(text: string): PidRecord | undefined {
  const trimmed = text.trim();
  if (/^\d+$/.test(trimmed)) return validPid({ pid: Number(trimmed) });
  try {
    const parsed = JSON.parse(trimmed) as Partial<Record<keyof PidRecord, unknown>>;
    const optional = (value: unknown): string | undefined =>
      typeof value === 'string' && value !== '' ? value : undefined;
    return validPid({
      pid: typeof parsed.pid === 'number' ? parsed.pid : NaN,
      program: optional(parsed.program),
      startTime: optional(parsed.startTime),
      bootId: optional(parsed.bootId),
    });
  } catch {
    return undefined;
  }
}

function validPid(record: PidRecord): PidRecord | undefined {
  return Number.isInteger(record.pid) && record.pid > 0 ? record : undefined;
}

export function formatPidFile(record: PidRecord): string {
  return `${JSON.stringify(record)}\n`;
}

/** Whether any argument of a /proc cmdline (or a word of a rewritten process title) runs `program`. */
export function mentionsProgram(cmdline: string, program: string): boolean {
  return cmdline.split(/[\0\s]+/).some((argument) => argument !== '' && basename(argument) === program);
}

/**
 * Whether the live process is the one the pid file recorded: the same start time (and boot) when those
 * were recorded, and a command line showing the launched program — or, for a bare-number pid file,
 * one of the legacy programs. Without a program to look for, the pid is not trusted.
 */
export function identityMatches(
  record: PidRecord,
  live: ProcessIdentity | undefined,
  legacyPrograms: readonly string[] = [],
): boolean {
  if (live === undefined) return false;
  if (record.startTime !== undefined && record.startTime !== live.startTime) return false;
  if (record.bootId !== undefined && live.bootId !== undefined && record.bootId !== live.bootId) return false;
  const programs = record.program !== undefined ? [record.program] : legacyPrograms;
  return programs.some((program) => mentionsProgram(live.cmdline, program));
}

export function procAvailable(): boolean {
  return existsSync('/proc/self/stat');
}

function bootId(): string | undefined {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

/** The identity of a live process from /proc; undefined when /proc does not show it. */
export function readProcessIdentity(pid: number): ProcessIdentity | undefined {
  try {
    const stat = parseProcStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
    if (stat?.pid !== pid) return undefined;
    return { startTime: stat.startTime, cmdline: readFileSync(`/proc/${pid}/cmdline`, 'utf8'), bootId: bootId() };
  } catch {
    return undefined;
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Whether the pid file's process still runs. Without /proc (macOS), a live pid is all there is to check. */
function stillRuns(record: PidRecord, legacyPrograms: readonly string[]): boolean {
  if (!isAlive(record.pid)) return false;
  if (!procAvailable()) return true;
  return identityMatches(record, readProcessIdentity(record.pid), legacyPrograms);
}

/** The pid of the launched process if it still runs; a stale pid file (process gone, pid reused) is deleted. */
export function runningPid(proc: ManagedProcess): number | undefined {
  if (!existsSync(proc.pidFile)) return undefined;
  const record = parsePidFile(readFileSync(proc.pidFile, 'utf8'));
  if (record !== undefined && stillRuns(record, proc.legacyPrograms)) return record.pid;
  rmSync(proc.pidFile, { force: true });
  return undefined;
}

function launchedRecord(pid: number, command: string): PidRecord {
  const live = readProcessIdentity(pid);
  return { pid, program: basename(command), startTime: live?.startTime, bootId: live?.bootId };
}

/** Starts a detached process (its own process group) that outlives this one; output goes to the log file. */
export function launch(
  proc: ManagedProcess,
  command: string,
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv },
): number {
  mkdirSync(options.cwd, { recursive: true });
  const log = openSync(proc.logFile, 'a');
  try {
    writeFileSync(log, `\n--- ${new Date().toISOString()} ${command} ${args.join(' ')}\n`);
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      detached: true,
      stdio: ['ignore', log, log],
    });
    if (child.pid === undefined) throw new Error(`could not start ${command}`);
    child.unref();
    writeFileSync(proc.pidFile, formatPidFile(launchedRecord(child.pid, command)));
    return child.pid;
  } finally {
    closeSync(log);
  }
}

/** SIGTERM to the whole process group, then SIGKILL if it has not exited within graceMs. */
export async function terminate(proc: ManagedProcess, graceMs = 15_000): Promise<boolean> {
  const pid = runningPid(proc);
  if (pid === undefined) return false;
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(-pid, name);
    } catch {
      try {
        process.kill(pid, name);
      } catch {
        // already gone
      }
    }
  };
  signal('SIGTERM');
  const deadline = Date.now() + graceMs;
  while (isAlive(pid) && Date.now() < deadline) await sleep(200);
  if (isAlive(pid)) signal('SIGKILL');
  rmSync(proc.pidFile, { force: true });
  return true;
}

export function tailOf(file: string, lines = 15): string {
  if (!existsSync(file)) return '';
  return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
}
