import type { ChildProcess } from 'node:child_process';
import { startCli, stop } from './mlops-cli';
import type { ProcessWatch } from './process-watch';

/** A run's workers: one I/O worker process and `cpuProcesses` CPU ones, watched while they run. */
export class Workers {
  private io: ChildProcess | undefined;
  private cpu: ChildProcess[] = [];

  constructor(
    private readonly env: NodeJS.ProcessEnv,
    private readonly watch: ProcessWatch,
  ) {}

  async start(cpuProcesses: number): Promise<void> {
    const ready = /worker running/;
    this.io = await startCli(['worker', '--queue', 'io'], this.env, ready);
    this.watch.watch('worker I/O', this.io.pid);
    for (let i = 0; i < cpuProcesses; i += 1) {
      const cpu = await startCli(['worker', '--queue', 'cpu'], this.env, ready);
      this.cpu.push(cpu);
      this.watch.watch(cpuProcesses === 1 ? 'worker CPU' : `worker CPU ${i + 1}`, cpu.pid);
    }
  }

  async stop(): Promise<void> {
    this.watch.forget('worker I/O');
    for (const [i] of this.cpu.entries())
      this.watch.forget(this.cpu.length === 1 ? 'worker CPU' : `worker CPU ${i + 1}`);
    await Promise.all([stop(this.io), ...this.cpu.map(stop)]);
    this.cpu = [];
  }
}
