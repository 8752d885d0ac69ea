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

/**
 * Lower-cased words of two or more letters, digits or underscores: the same tokens as
 * scikit-learn's default `token_pattern` (`\b\w\w+\b`), scanned by hand because it is the hot path.
 * The scan goes by code point, as Python's does: a letter outside the BMP (𝐀, 𝛼, common in
 * abstracts pasted from PDFs) is one word character, not two non-word code units.
 */
export function tokenize(text: string): string[] {
  const lower = text.toLowerCase();
  const tokens: string[] = [];
  let start = -1;
  let wordLength = 0;
  for (let i = 0; i < lower.length; ) {
    const codePoint = lower.codePointAt(i)!;
    if (isWordCodePoint(codePoint)) {
      if (start < 0) {
        start = i;
        wordLength = 0;
      }
      wordLength += 1;
    } else if (start >= 0) {
      if (wordLength >= 2) tokens.push(lower.slice(start, i));
      start = -1;
    }
    i += codePoint > 0xffff ? 2 : 1;
  }
  if (start >= 0 && wordLength >= 2) tokens.push(lower.slice(start));
  return tokens;
}

/** Unigrams, and bigrams joined by one space when ngramMax is 2. */
export function termsOf(tokens: string[], ngramMax: 1 | 2): string[] {
  if (ngramMax === 1) return tokens;
  const terms = tokens.slice();
  for (let i = 0; i + 1 < tokens.length; i += 1) terms.push(`${tokens[i]} ${tokens[i + 1]}`);
  return terms;
}
