/*
 * Counting a corpus's terms (unigrams and bigrams) by document, and where a vocabulary of at most
 * so many terms cuts them off: what fitTfidf chooses its vocabulary from.
 */
import { PairTable } from './pair-table';
import { tokenize } from './tokenize';

/**
 * The lowest document frequency kept when at most `limit` eligible terms may be (every term above
 * it is kept), and how many of the terms at it are (undefined: all of them).
 */
export function frequencyCutoff(
  counted: TermCounts,
  eligible: (df: number) => boolean,
  limit: number,
): { cutoff: number; tiesKept?: number } {
  const byFrequency = new Map<number, number>();
  let total = 0;
  for (let id = 0; id < counted.terms; id += 1) {
    const df = counted.df(id);
    if (!eligible(df)) continue;
    byFrequency.set(df, (byFrequency.get(df) ?? 0) + 1);
    total += 1;
  }
  if (total <= limit) return { cutoff: 0 };
  let above = 0;
  for (const df of [...byFrequency.keys()].sort((a, b) => b - a)) {
    const at = byFrequency.get(df)!;
    if (above + at >= limit) return { cutoff: df, tiesKept: limit - above };
    above += at;
  }
  return { cutoff: 0 };
}

/**
 * Each term's document frequency. Tokens are numbered as they are first met and a bigram is keyed
 * by its pair of numbers (a PairTable), so no string is built per bigram occurrence (only per distinct bigram, at
 * the end), and a term is counted once per document by remembering the last document that had it.
 */
export function countDocumentFrequencies(texts: readonly string[], ngramMax: 1 | 2): TermCounts {
  const tokenIds = new Map<string, number>();
  const tokens: string[] = [];
  const tokenDf = new DocumentFrequencies();
  const bigrams = new PairTable(1 << 16);
  const bigramDf = new DocumentFrequencies();
  texts.forEach((text, document) => {
    let previous = -1;
    for (const token of tokenize(text)) {
      let id = tokenIds.get(token);
      if (id === undefined) {
        id = tokens.length;
        tokenIds.set(token, id);
        tokens.push(token);
      }
      tokenDf.count(id, document);
      if (ngramMax === 2 && previous >= 0) bigramDf.count(bigrams.slotOf(previous, id), document);
      previous = id;
    }
  });
  const unigrams = tokens.length;
  return {
    terms: unigrams + bigrams.size,
    df: (id) => (id < unigrams ? tokenDf.of(id) : bigramDf.of(id - unigrams)),
    term: (id) =>
      id < unigrams ? tokens[id]! : `${tokens[bigrams.first(id - unigrams)]} ${tokens[bigrams.second(id - unigrams)]}`,
  };
}

/** The corpus's distinct terms, numbered: unigrams first, then bigrams. */
export interface TermCounts {
  terms: number;
  df(id: number): number;
  /** The term as text (built on each call). */
  term(id: number): string;
}

/** Documents per numbered term, each counted once per document by remembering the last one seen. */
class DocumentFrequencies {
  private frequencies = new Int32Array(1 << 16);
  private lastDocument = new Int32Array(1 << 16).fill(-1);

  count(term: number, document: number): void {
    if (term >= this.frequencies.length) {
      const frequencies = new Int32Array(this.frequencies.length * 2);
      frequencies.set(this.frequencies);
      this.frequencies = frequencies;
      const lastDocument = new Int32Array(this.lastDocument.length * 2).fill(-1);
      lastDocument.set(this.lastDocument);
      this.lastDocument = lastDocument;
    }
    if (this.lastDocument[term] !== document) {
      this.lastDocument[term] = document;
      this.frequencies[term]! += 1;
    }
  }

  of(term: number): number {
    return this.frequencies[term]!;
  }
}
