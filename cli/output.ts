/** Human output goes to stdout; with --json, stdout's last line is one JSON object with the same facts. */
export interface Reporter {
  json: boolean;
  /** Progress and notes: stderr, never mixed into the JSON on stdout. */
  note(message: string): void;
  summary(title: string, rows: Array<[string, string | number | boolean | undefined]>, data: unknown): void;
}

export function createReporter(json: boolean): Reporter {
  return {
    json,
    note(message) {
      process.stderr.write(`${message}\n`);
    },
    summary(title, rows, data) {
      if (json) {
        process.stdout.write(`${JSON.stringify(data)}\n`);
        return;
      }
      const width = Math.max(...rows.map(([label]) => label.length));
      const lines = rows
        .filter(([, value]) => value !== undefined)
        .map(([label, value]) => `  ${label.padEnd(width)}  ${value}`);
      process.stdout.write(`\n${title}\n${lines.join('\n')}\n`);
    },
  };
}
