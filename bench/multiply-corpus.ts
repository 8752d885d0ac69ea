import { createReadStream, createWriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { createGunzip, createGzip } from 'node:zlib';

const LETTERS = 'abcdefghij';
const letters = (digits: string) => [...digits].map((digit) => LETTERS[Number(digit)]).join('');

/**
 * The id of a paper's `copy`-th replay (copy 0 is the paper itself): a valid arXiv identifier in a
 * range no real paper has (old-style ids in invented `synth…` archives), one to one with (id, copy).
 */
export function derivedId(id: string, copy: number): string {
  if (copy === 0) return id;
  const tag = letters(String(copy));
  const newStyle = /^(\d{2})(\d{2})\.(\d{4,5})$/.exec(id);
  if (newStyle) return `synth-${tag}-${letters(newStyle[1]!)}/${newStyle[2]}${newStyle[3]!.padStart(5, '0')}`;
  const oldStyle = /^([a-z][a-z-]*)((?:\.[A-Za-z-]{2,})?)\/(\d{7})$/.exec(id);
  if (oldStyle) return `${oldStyle[1]}-synth${tag}${oldStyle[2]}/${oldStyle[3]}`;
  return `${id}-synth${tag}`; // not an arXiv id: stays as invalid as it was
}

/** Writes `copies` replays of a JSON-lines snapshot (gzip or not) as one gzip file; returns the lines written. */
export async function writeMultiplied(source: string, destination: string, copies: number): Promise<number> {
  let written = 0;
  async function* lines(): AsyncGenerator<string> {
    for (let copy = 0; copy < copies; copy += 1) {
      const input = createReadStream(source);
      const text = source.endsWith('.gz') ? input.pipe(createGunzip()) : input;
      for await (const line of createInterface({ input: text, crlfDelay: Infinity })) {
        if (line.trim() === '') continue;
        const record = JSON.parse(line) as { id?: unknown };
        if (typeof record.id === 'string') record.id = derivedId(record.id, copy);
        written += 1;
        yield `${JSON.stringify(record)}\n`;
      }
    }
  }
  await pipeline(Readable.from(lines()), createGzip({ level: 1 }), createWriteStream(destination));
  return written;
}
