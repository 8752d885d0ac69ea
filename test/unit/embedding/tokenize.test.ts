import { termsOf, tokenize } from '../../../lib/embedding/tokenize';

// Expected tokens are what scikit-learn 1.9's CountVectorizer().build_analyzer() returns for the
// same input (default token_pattern `(?u)\b\w\w+\b`, lowercase=True, no accent stripping).
describe('tokenize', () => {
  it('lower-cases and splits on punctuation, including hyphens and dots inside words', () => {
    expect(tokenize('State-of-the-art e.g. U.S.A. (BERT), GPT-4: x/y!')).toEqual([
      'state',
      'of',
      'the',
      'art',
      'bert',
      'gpt',
    ]);
  });

  it('drops one-character words, whether letters, digits or underscores', () => {
    expect(tokenize('a b 1 _ I x ab 12 __')).toEqual(['ab', '12', '__']);
  });

  it('keeps digits and underscores inside words', () => {
    expect(tokenize('x1 a_b 3D co2 2024 snake_case_name')).toEqual([
      'x1',
      'a_b',
      '3d',
      'co2',
      '2024',
      'snake_case_name',
    ]);
  });

  it('keeps accented letters and other scripts as word characters', () => {
    expect(tokenize('Naïve Schrödinger café Ångström Ωmega Эйнштейн 量子力学')).toEqual([
      'naïve',
      'schrödinger',
      'café',
      'ångström',
      'ωmega',
      'эйнштейн',
      '量子力学',
    ]);
  });

  it('splits at combining marks, which are not word characters (decomposed accents)', () => {
    expect(tokenize('cafe\u0301 x')).toEqual(['cafe']);
  });

  it('treats superscripts and vulgar fractions as digits', () => {
    expect(tokenize('x² ½½ Ⅻ')).toEqual(['x²', '½½']);
  });

  it('lower-cases as Python does, final sigma included', () => {
    expect(tokenize('ΣΑΣ İstanbul ǄEMAL')).toEqual(['σας', 'stanbul', 'ǆemal']);
  });

  it('counts a letter outside the basic plane as one character', () => {
    expect(tokenize('𝐀𝐁 x 𝐀 𝛼𝛽')).toEqual(['𝐀𝐁', '𝛼𝛽']);
  });

  it('keeps a word at the very end of the text and returns nothing for text without words', () => {
    expect(tokenize('end')).toEqual(['end']);
    expect(tokenize('')).toEqual([]);
    expect(tokenize(' ... - a ')).toEqual([]);
  });
});

describe('termsOf', () => {
  it('returns the unigrams alone for ngramMax 1', () => {
    expect(termsOf(['deep', 'neural', 'nets'], 1)).toEqual(['deep', 'neural', 'nets']);
  });

  it('appends space-joined adjacent pairs for ngramMax 2', () => {
    expect(termsOf(['deep', 'neural', 'nets'], 2)).toEqual(['deep', 'neural', 'nets', 'deep neural', 'neural nets']);
  });
});
