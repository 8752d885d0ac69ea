import { MultiBar, Presets, type SingleBar } from 'cli-progress';

/** Named progress bars on stderr when it is a terminal; otherwise a short line now and then. */
export class ProgressBoard {
  private readonly multi: MultiBar | undefined;
  private readonly bars = new Map<string, SingleBar>();
  private readonly lastLine = new Map<string, number>();

  constructor(private readonly enabled: boolean) {
    this.multi =
      enabled && process.stderr.isTTY
        ? new MultiBar(
            {
              format: ' {label} |{bar}| {value}/{total} {unit} {note}',
              hideCursor: true,
              clearOnComplete: false,
              stream: process.stderr,
            },
            Presets.shades_classic,
          )
        : undefined;
  }

  update(label: string, value: number, total: number, unit: string, note = ''): void {
    if (!this.enabled) return;
    const safeTotal = Math.max(total, value, 1);
    if (this.multi) {
      let bar = this.bars.get(label);
      if (!bar) {
        bar = this.multi.create(safeTotal, value, { label: label.padEnd(9), unit, note });
        this.bars.set(label, bar);
      }
      bar.setTotal(safeTotal);
      bar.update(value, { label: label.padEnd(9), unit, note });
      return;
    }
    if (Date.now() - (this.lastLine.get(label) ?? 0) > 5_000) {
      this.lastLine.set(label, Date.now());
      process.stderr.write(`  ${label}: ${value}/${safeTotal} ${unit} ${note}\n`);
    }
  }

  stop(): void {
    this.multi?.stop();
  }
}
