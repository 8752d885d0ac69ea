import { paperText } from '../lib/arxiv/record';
import { readSnapshot } from '../lib/arxiv/snapshot';

/** Title + ". " + abstract of the first `limit` valid papers of a JSONL(.gz) snapshot. */
export async function readPaperTexts(path: string, limit: number): Promise<string[]> {
  const texts: string[] = [];
  for await (const { item } of readSnapshot(path)) {
    if (!item.ok) continue;
    texts.push(paperText(item.record));
    if (texts.length >= limit) break;
  }
  return texts;
}

/** `texts` cycled until there are `count` of them. */
export function repeatTo(texts: readonly string[], count: number): string[] {
  if (texts.length === 0) throw new Error('cannot repeat an empty corpus');
  return Array.from({ length: count }, (_, i) => texts[i % texts.length]!);
}
