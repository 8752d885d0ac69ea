import { parseCurrent, parseReference } from '../../../cli/commands/monitor-options';
import { DEFAULT_EMBEDDER_HOLDOUT, isHeldOut } from '../../../lib/embedding/holdout';
import { fitTfidf, TfidfVectorizer } from '../../../lib/embedding/tfidf';
import { stratifiedSplit } from '../../../lib/model/split';
import { chooseReferenceRows } from '../../../lib/model/reference-data';
import { describeWindow, windowBounds, WindowSpecError } from '../../../lib/monitoring/current-window';
import { watchQuality } from '../../../lib/monitoring/quality';

describe('the current window', () => {
  const end = new Date('2026-12-01T12:00:00Z');

  it('ends when the monitor started and reaches back the given days', () => {
    expect(windowBounds({ by: 'ingested', days: 7 }, end)).toEqual({
      from: new Date('2026-11-24T12:00:00Z'),
      until: end,
    });
  });

  it('takes whole days inclusive, or exact times', () => {
    expect(windowBounds({ by: 'published', from: '2025-01-01', until: '2025-12-31' }, end)).toEqual({
      from: new Date('2025-01-01T00:00:00.000Z'),
      until: new Date('2025-12-31T23:59:59.999Z'),
    });
    expect(windowBounds({ by: 'ingested', from: '2026-12-01T10:30:00Z' }, end)).toEqual({
      from: new Date('2026-12-01T10:30:00Z'),
      until: undefined,
    });
    expect(describeWindow({ by: 'published', from: '2025-01-01', until: '2025-12-31' }, end)).toBe(
      'papers published 2025-01-01 … 2025-12-31',
    );
  });

  it('refuses an empty or backwards window with a message saying what to give', () => {
    expect(() => windowBounds({ by: 'ingested', days: 0 }, end)).toThrow(WindowSpecError);
    expect(() => windowBounds({ by: 'ingested', from: '2025-02-01', until: '2025-01-01' }, end)).toThrow(
      'the window starts (2025-02-01) after it ends (2025-01-01)',
    );
    expect(() => windowBounds({ by: 'ingested', from: 'last week' }, end)).toThrow(
      '"last week" is neither a day (YYYY-MM-DD) nor an ISO time',
    );
  });

  it('is read from --current and --reference as the command line writes them', () => {
    expect(parseCurrent('window:30', 'published')).toEqual({ kind: 'window', window: { by: 'published', days: 30 } });
    expect(parseCurrent('window:2025-01-01..2025-06-30', 'ingested')).toEqual({
      kind: 'window',
      window: { by: 'ingested', from: '2025-01-01', until: '2025-06-30' },
    });
    expect(parseCurrent('window:2025-01-01..', 'ingested')).toEqual({
      kind: 'window',
      window: { by: 'ingested', from: '2025-01-01' },
    });
    expect(parseCurrent('file:x.csv', 'ingested')).toMatchObject({ kind: 'file' });
    expect(parseCurrent('predictions:2', 'published')).toEqual({
      kind: 'window',
      window: { by: 'predicted', days: 2 },
    });
    expect(parseCurrent('predictions:2026-11-01..', 'ingested')).toEqual({
      kind: 'window',
      window: { by: 'predicted', from: '2026-11-01' },
    });
    expect(() => parseCurrent('predictions:', 'ingested')).toThrow(/predictions:<days>/);
    expect(parseReference('run:abc')).toEqual({ kind: 'run', runId: 'abc' });
    expect(parseReference(undefined)).toEqual({ kind: 'serving' });
    expect(() => parseReference('latest')).toThrow(
      '--reference "latest": use serving, run:<training run id> or file:<csv>',
    );
  });
});

describe('reference data out of the embedder’s sample', () => {
  const papers = Array.from({ length: 3_000 }, (_, i) => ({
    arxivId: `2401.${String(i).padStart(5, '0')}`,
    label: ['a', 'b', 'c'][i % 3]!,
  }));
  const split = stratifiedSplit(
    papers,
    (paper) => paper.label,
    (paper) => paper.arxivId,
    { test: 0.2, validation: 0.1 },
    42,
  );

  it('holds out a quarter of the papers, nearly all of them the split’s test papers', () => {
    const heldOut = papers.filter((paper) => isHeldOut(paper.arxivId, DEFAULT_EMBEDDER_HOLDOUT));
    expect(heldOut.length / papers.length).toBeCloseTo(0.25, 1);
    const testHeldOut = split.test.filter((paper) => isHeldOut(paper.arxivId, DEFAULT_EMBEDDER_HOLDOUT));
    expect(testHeldOut.length / split.test.length).toBeGreaterThan(0.95);
    expect(split.train.filter((paper) => isHeldOut(paper.arxivId, DEFAULT_EMBEDDER_HOLDOUT))).toEqual([]);
  });

  it('takes only test papers the embedder did not see, and says when it could not', () => {
    const choice = chooseReferenceRows(split, (id) => isHeldOut(id, DEFAULT_EMBEDDER_HOLDOUT), 10_000);
    expect(choice.embedderInSample).toBe(false);
    expect(
      choice.rows.every(({ part, row }) => part === 'test' && isHeldOut(row.arxivId, DEFAULT_EMBEDDER_HOLDOUT)),
    ).toBe(true);
    expect(chooseReferenceRows(split, undefined, 50)).toMatchObject({ embedderInSample: true });
    expect(chooseReferenceRows(split, undefined, 50).rows).toHaveLength(50);
  });
});

describe('out-of-vocabulary share', () => {
  it('is the share of tokens that are no term of the vocabulary', () => {
    const vectorizer = new TfidfVectorizer(
      fitTfidf(['graph neural network', 'neural machine translation'], {
        ngramMax: 1,
        minDf: 1,
        maxDfRatio: 1,
        maxFeatures: 100,
        sublinearTf: true,
      }),
    );
    expect(vectorizer.outOfVocabularyShare('neural quantum network chromodynamics')).toBe(0.5);
    expect(vectorizer.outOfVocabularyShare('')).toBe(0);
  });

  it('is what a vectorized text reports too, with bigrams in the vocabulary', () => {
    const vectorizer = new TfidfVectorizer(
      fitTfidf(['graph neural network', 'neural machine translation', 'graph neural models'], {
        ngramMax: 2,
        minDf: 1,
        maxDfRatio: 1,
        maxFeatures: 100,
        sublinearTf: true,
      }),
    );
    for (const text of [
      'neural quantum network chromodynamics',
      'graph neural translation of graph',
      '',
      'unknown words only',
    ]) {
      vectorizer.vectorize(text);
      expect(vectorizer.lastOutOfVocabularyShare).toBe(vectorizer.outOfVocabularyShare(text));
    }
  });
});

describe('model-quality watch', () => {
  const truth = ['a', 'a', 'b', 'b', 'c', 'c'];

  it('scores the window against the run’s own test scores and alerts on a macro-F1 drop beyond the margin', () => {
    const watch = watchQuality(
      truth,
      ['a', 'b', 'b', 'b', 'c', 'a'],
      { accuracy: 0.9, macroF1: 0.9, recall: { a: 0.9, b: 0.9, c: 0.9 } },
      0.1,
    );
    expect(watch.accuracy).toBeCloseTo(4 / 6, 12);
    expect(watch.perClass.map((row) => [row.label, row.recall, row.baselineRecall])).toEqual([
      ['a', 0.5, 0.9],
      ['b', 1, 0.9],
      ['c', 0.5, 0.9],
    ]);
    expect(watch.macroF1Drop).toBeCloseTo(0.9 - watch.macroF1, 12);
    expect(watch.alert).toBe(true);
    expect(watchQuality(truth, truth, { accuracy: 1, macroF1: 1, recall: {} }, 0.1).alert).toBe(false);
    expect(watchQuality(truth, ['c', 'c', 'c', 'c', 'c', 'c'], null).alert).toBe(false);
  });
});
