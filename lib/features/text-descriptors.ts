import type { PaperRecord } from '../arxiv/record';

/** Simple text descriptors, kept so monitoring can watch the input text as well as the vectors. */
export interface TextDescriptors {
  titleChars: number;
  abstractChars: number;
  abstractWords: number;
  /** Share of the text's tokens outside the embedder's vocabulary (stored since monitoring; absent before). */
  oovShare?: number;
}

/** A paper's title and abstract lengths, and its abstract's words. */
export function describeText(record: Pick<PaperRecord, 'title' | 'abstract'>): TextDescriptors {
  const words = record.abstract.trim() === '' ? 0 : record.abstract.trim().split(/\s+/).length;
  return { titleChars: record.title.length, abstractChars: record.abstract.length, abstractWords: words };
}
