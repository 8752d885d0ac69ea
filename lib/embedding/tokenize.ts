const WORD_CHAR = /[\p{L}\p{N}_]/u;

function isWordChar(code: number, char: string): boolean {
  if (code < 128) {
    return (code >= 97 && code <= 122) || (code >= 48 && code <= 57) || code === 95 || (code >= 65 && code <= 90);
  }
  return WORD_CHAR.test(char);
}

/**
 * Lower-cased words of two or more letters, digits or underscores: the same tokens as
 * scikit-learn's default `token_pattern` (`\b\w\w+\b`), scanned by hand because it is the hot path.
 */
export function tokenize(text: string): string[] {
  const lower = text.toLowerCase();
  const tokens: string[] = [];
  let start = -1;
  for (let i = 0; i <= lower.length; i += 1) {
    const code = i < lower.length ? lower.charCodeAt(i) : 32;
    const word = i < lower.length && isWordChar(code, lower[i]!);
    if (word) {
      if (start < 0) start = i;
    } else if (start >= 0) {
      if (i - start >= 2) tokens.push(lower.slice(start, i));
      start = -1;
    }
  }
  return tokens;
}

/** Unigrams, and bigrams joined by one space when ngramMax is 2. */
export function termsOf(tokens: string[], ngramMax: 1 | 2): string[] {
  if (ngramMax === 1) return tokens;
  const terms = tokens.slice();
  for (let i = 0; i + 1 < tokens.length; i += 1) terms.push(`${tokens[i]} ${tokens[i + 1]}`);
  return terms;
}
