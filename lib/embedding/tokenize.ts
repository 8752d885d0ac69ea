const WORD_CHAR = /[\p{L}\p{N}_]/u;

function isWordCodePoint(codePoint: number): boolean {
  if (codePoint < 128) {
    return (
      (codePoint >= 97 && codePoint <= 122) ||
      (codePoint >= 48 && codePoint <= 57) ||
      codePoint === 95 ||
      (codePoint >= 65 && codePoint <= 90)
    );
  }
  return WORD_CHAR.test(String.fromCodePoint(codePoint));
}

/** Word characters below 128 (letters, digits, underscore): 1, else 0. */
const ASCII_WORD = Uint8Array.from({ length: 128 }, (_, c) => (isWordCodePoint(c) ? 1 : 0));

/** FNV-1a over a token's UTF-16 code units: start from TOKEN_HASH_SEED, step each unit, then finish. */
export const TOKEN_HASH_SEED = 0x811c9dc5 | 0;

export function tokenHashStep(hash: number, codeUnit: number): number {
  return Math.imul(hash ^ codeUnit, 0x01000193);
}

/** Folds the high bits into the low ones, which pick a hash table's bucket. */
export function finishTokenHash(hash: number): number {
  return hash ^ (hash >>> 15);
}

/**
 * Where the tokens of a text are, without making their strings: token i is
 * `lower.slice(starts[i], ends[i])` of the text's lower case, and hashes[i] its hash (see
 * TOKEN_HASH_SEED). The arrays are reused (and grown) from one scan to the next. One scan can
 * serve every vectorizer reading the same text (the embedder's and a model's).
 */
export class TokenSpans {
  /** The text last scanned, as given. */
  source = '';
  lower = '';
  count = 0;
  starts: Int32Array = new Int32Array(256);
  ends: Int32Array = new Int32Array(256);
  hashes: Int32Array = new Int32Array(256);

  /**
   * Words of two or more letters, digits or underscores: the same tokens as scikit-learn's
   * default `token_pattern` (`\b\w\w+\b`), scanned by hand because it is the hot path. The scan
   * goes by code point, as Python's does: a letter outside the BMP (𝐀, 𝛼, common in abstracts
   * pasted from PDFs) is one word character, not two non-word code units.
   */
  scan(text: string): this {
    const lower = text.toLowerCase();
    this.source = text;
    this.lower = lower;
    this.count = 0;
    let start = -1;
    let wordLength = 0;
    let hash = TOKEN_HASH_SEED;
    for (let i = 0; i < lower.length;) {
      const unit = lower.charCodeAt(i);
      let width = 1;
      let word: boolean;
      if (unit < 128) {
        word = ASCII_WORD[unit] === 1;
      } else {
        const codePoint = lower.codePointAt(i)!;
        if (codePoint > 0xffff) width = 2;
        word = isWordCodePoint(codePoint);
      }
      if (word) {
        if (start < 0) {
          start = i;
          wordLength = 0;
          hash = TOKEN_HASH_SEED;
        }
        wordLength += 1;
        hash = tokenHashStep(hash, unit);
        if (width === 2) hash = tokenHashStep(hash, lower.charCodeAt(i + 1));
      } else if (start >= 0) {
        if (wordLength >= 2) this.add(start, i, finishTokenHash(hash));
        start = -1;
      }
      i += width;
    }
    if (start >= 0 && wordLength >= 2) this.add(start, lower.length, finishTokenHash(hash));
    return this;
  }

  private add(start: number, end: number, hash: number): void {
    if (this.count === this.starts.length) {
      this.starts = grown(this.starts);
      this.ends = grown(this.ends);
      this.hashes = grown(this.hashes);
    }
    this.starts[this.count] = start;
    this.ends[this.count] = end;
    this.hashes[this.count] = hash;
    this.count += 1;
  }
}

function grown(array: Int32Array): Int32Array {
  const out = new Int32Array(array.length * 2);
  out.set(array);
  return out;
}

/** Lower-cased words of two or more letters, digits or underscores (see `TokenSpans.scan`). */
export function tokenize(text: string): string[] {
  const spans = scratch.scan(text);
  const tokens: string[] = [];
  for (let i = 0; i < spans.count; i += 1) tokens.push(spans.lower.slice(spans.starts[i], spans.ends[i]));
  return tokens;
}

/** tokenize's: it runs to completion before anyone else can scan. */
const scratch = new TokenSpans();

/** Unigrams, and bigrams joined by one space when ngramMax is 2. */
export function termsOf(tokens: string[], ngramMax: 1 | 2): string[] {
  if (ngramMax === 1) return tokens;
  const terms = tokens.slice();
  for (let i = 0; i + 1 < tokens.length; i += 1) terms.push(`${tokens[i]} ${tokens[i + 1]}`);
  return terms;
}
