/** Human output goes to stdout; with --json, stdout's last line is one JSON object with the same facts. */
export interface Reporter {
  json: boolean;
  /** Progress and notes: stderr, never mixed into the JSON on stdout. */
  note(message: string): void;
  summary(title: string, rows: Array<[string, string | number | boolean | undefined]>, data: unknown): void;
}

// C0 controls but tab and newline, DEL, C1 controls (ESC, CSI, OSC, BEL…), and the bidirectional
// overrides that make a terminal show text in another order than it is.
// eslint-disable-next-line no-control-regex -- finding control characters is the point of this pattern
const UNPRINTABLE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/**
 * Text from data (a record id, a title, a reason) made safe for a terminal: control characters
 * are shown as `\x1b`-style escapes instead of being obeyed. JSON output is never passed through it.
 */
export function terminalSafe(text: string): string {
  return text.replace(UNPRINTABLE, (character) => {
    const code = character.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

export function createReporter(json: boolean): Reporter {
  return {
    json,
    note(message) {
      process.stderr.write(`${terminalSafe(message)}\n`);
    },
    summary(title, rows, data) {
      if (json) {
        process.stdout.write(`${JSON.stringify(data)}\n`);
        return;
      }
      const width = Math.max(...rows.map(([label]) => label.length));
      const lines = rows
        .filter(([, value]) => value !== undefined)
        .map(([label, value]) => `  ${label.padEnd(width)}  ${terminalSafe(String(value))}`);
      process.stdout.write(`\n${terminalSafe(title)}\n${lines.join('\n')}\n`);
    },
  };
}
