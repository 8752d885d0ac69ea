import { readdirSync, readFileSync } from 'node:fs';

/** Each process's children, from one read of /proc (Linux only). */
function childrenByParent(): Map<number, number[]> {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // The command name may hold spaces and parentheses: the fields after its closing one are fixed.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(parent, [...(children.get(parent) ?? []), Number(entry)]);
    } catch {
      // gone meanwhile
    }
  }
  return children;
}

/** Resident memory of a process and all its descendants, in bytes (0 when it is gone). */
export function treeRssBytes(pid: number, children: Map<number, number[]> = childrenByParent()): number {
  let total = 0;
  const pending = [pid];
  while (pending.length > 0) {
    const current = pending.pop()!;
    try {
      const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${current}/status`, 'utf8'));
      total += match ? Number(match[1]) * 1024 : 0;
    } catch {
      continue;
    }
    pending.push(...(children.get(current) ?? []));
  }
  return total;
}

/**
 * Samples the resident memory of named processes twice a second and keeps each one's peak per
 * stage, so a table can say how much each process needed for each stage.
 */
export class ProcessWatch {
  private readonly processes = new Map<string, number>();
  private readonly peaks = new Map<string, Map<string, number>>();
  private stage = 'setup';
  private readonly timer: NodeJS.Timeout;

  constructor(intervalMs = 500) {
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.timer.unref();
  }

  watch(label: string, pid: number | undefined): void {
    if (pid !== undefined) this.processes.set(label, pid);
  }

  forget(label: string): void {
    this.sample();
    this.processes.delete(label);
  }

  /** Starts a stage: peaks from now on count for it. */
  enter(stage: string): void {
    this.sample();
    this.stage = stage;
    this.sample();
  }

  private sample(): void {
    const peaks = this.peaks.get(this.stage) ?? new Map<string, number>();
    const children = childrenByParent();
    for (const [label, pid] of this.processes)
      peaks.set(label, Math.max(peaks.get(label) ?? 0, treeRssBytes(pid, children)));
    this.peaks.set(this.stage, peaks);
  }

  /** Peak bytes per process label during a stage. */
  peaksOf(stage: string): Record<string, number> {
    return Object.fromEntries(this.peaks.get(stage) ?? []);
  }

  labels(): string[] {
    return [...new Set([...this.peaks.values()].flatMap((peaks) => [...peaks.keys()]))];
  }

  stop(): void {
    this.sample();
    clearInterval(this.timer);
  }
}
