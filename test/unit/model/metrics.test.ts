import { evaluateLabels } from '../../../lib/model/classifier';
import { evaluate } from '../../../lib/model/metrics';

/**
 * Expected values computed once with scikit-learn 1.9.1 (/work/main/.venv/bin/python):
 *
 *   from sklearn.metrics import accuracy_score, precision_recall_fscore_support, f1_score, confusion_matrix
 *   y_true = [0, 0, 0, 1, 1, 1, 1, 2, 2, 3]
 *   y_pred = [0, 1, 0, 1, 1, 2, 1, 0, 2, 2]
 *   accuracy_score(y_true, y_pred)                                                   # 0.6
 *   precision_recall_fscore_support(y_true, y_pred, labels=[0, 1, 2, 3], zero_division=0)
 *   # precision [0.6666666666666666, 0.75, 0.3333333333333333, 0.0]
 *   # recall    [0.6666666666666666, 0.75, 0.5, 0.0]
 *   # f1        [0.6666666666666666, 0.75, 0.4, 0.0]
 *   # support   [3, 4, 2, 1]
 *   f1_score(y_true, y_pred, average='macro', zero_division=0)                       # 0.4541666666666666
 *   confusion_matrix(y_true, y_pred, labels=[0, 1, 2, 3])
 *   # [[2, 1, 0, 0], [0, 3, 1, 0], [1, 0, 1, 0], [0, 0, 1, 0]]
 */
const Y_TRUE = [0, 0, 0, 1, 1, 1, 1, 2, 2, 3];
const Y_PRED = [0, 1, 0, 1, 1, 2, 1, 0, 2, 2];
const LABELS = ['cs.AI', 'cs.LG', 'math.ST', 'q-bio.NC'];

describe('evaluate', () => {
  const evaluation = evaluate(Y_TRUE, Y_PRED, LABELS);

  it('matches scikit-learn accuracy', () => {
    expect(evaluation.accuracy).toBeCloseTo(0.6, 12);
  });

  it('matches scikit-learn per-class precision, recall, F1 and support', () => {
    const expected = [
      { label: 'cs.AI', precision: 0.6666666666666666, recall: 0.6666666666666666, f1: 0.6666666666666666, support: 3 },
      { label: 'cs.LG', precision: 0.75, recall: 0.75, f1: 0.75, support: 4 },
      { label: 'math.ST', precision: 0.3333333333333333, recall: 0.5, f1: 0.4, support: 2 },
      { label: 'q-bio.NC', precision: 0, recall: 0, f1: 0, support: 1 },
    ];
    evaluation.perClass.forEach((metrics, c) => {
      expect(metrics.label).toBe(expected[c]!.label);
      expect(metrics.precision).toBeCloseTo(expected[c]!.precision, 12);
      expect(metrics.recall).toBeCloseTo(expected[c]!.recall, 12);
      expect(metrics.f1).toBeCloseTo(expected[c]!.f1, 12);
      expect(metrics.support).toBe(expected[c]!.support);
    });
  });

  it('scores a class that is never predicted as 0 (zero_division=0) and still averages it into macro-F1', () => {
    expect(evaluation.perClass[3]).toEqual({ label: 'q-bio.NC', precision: 0, recall: 0, f1: 0, support: 1 });
    expect(evaluation.macroF1).toBeCloseTo(0.4541666666666666, 12);
  });

  it('matches the scikit-learn confusion matrix (rows true, columns predicted)', () => {
    expect(evaluation.confusion).toEqual([
      [2, 1, 0, 0],
      [0, 3, 1, 0],
      [1, 0, 1, 0],
      [0, 0, 1, 0],
    ]);
    expect(evaluation.labels).toEqual(LABELS);
  });

  it('leaves a label out of macro-F1 when it occurs in neither truth nor predictions, as scikit-learn does', () => {
    // f1_score([0, 0, 1, 1], [0, 1, 1, 1], average='macro')   # 0.7333333333333334
    // precision_recall_fscore_support(..., labels=[0, 1, 2], zero_division=0)
    // # precision [1.0, 0.6666666666666666, 0.0], recall [0.5, 1.0, 0.0], f1 [0.6666666666666666, 0.8, 0.0]
    const result = evaluate([0, 0, 1, 1], [0, 1, 1, 1], ['a', 'b', 'unused']);
    expect(result.macroF1).toBeCloseTo(0.7333333333333334, 12);
    expect(result.perClass.map((metrics) => metrics.f1)).toEqual([
      expect.closeTo(0.6666666666666666, 12),
      expect.closeTo(0.8, 12),
      0,
    ]);
  });

  it('is perfect on perfect predictions', () => {
    const perfect = evaluate([0, 1, 2, 1], [0, 1, 2, 1], ['a', 'b', 'c']);
    expect(perfect.accuracy).toBe(1);
    expect(perfect.macroF1).toBe(1);
  });

  it('scores an empty evaluation as 0 rather than NaN', () => {
    const empty = evaluate([], [], ['a', 'b']);
    expect(empty.accuracy).toBe(0);
    expect(empty.macroF1).toBe(0);
  });

  it('refuses mismatched lengths and codes outside the labels', () => {
    expect(() => evaluate([0, 1], [0], ['a', 'b'])).toThrow('2 true labels but 1 predictions');
    expect(() => evaluate([0, 2], [0, 1], ['a', 'b'])).toThrow('label code out of range at row 1');
    expect(() => evaluate([0, 1], [-1, 1], ['a', 'b'])).toThrow('label code out of range at row 0');
  });
});

describe('evaluateLabels', () => {
  /**
   * A predicted label that never occurs in the truth (cs.CV), scikit-learn 1.9.1:
   *
   *   t = ['cs.AI', 'cs.AI', 'cs.LG', 'cs.LG', 'math.ST']
   *   p = ['cs.AI', 'cs.CV', 'cs.LG', 'cs.AI', 'math.ST']
   *   accuracy_score(t, p)                                          # 0.6
   *   precision_recall_fscore_support(t, p, zero_division=0)        # labels sorted: cs.AI, cs.CV, cs.LG, math.ST
   *   # precision [0.5, 0.0, 1.0, 1.0], recall [0.5, 0.0, 0.5, 1.0]
   *   # f1 [0.5, 0.0, 0.6666666666666666, 1.0], support [2, 0, 2, 1]
   *   f1_score(t, p, average='macro', zero_division=0)              # 0.5416666666666666
   *   confusion_matrix(t, p)   # [[1, 1, 0, 0], [0, 0, 0, 0], [1, 0, 1, 0], [0, 0, 0, 1]]
   */
  const evaluation = evaluateLabels(
    ['cs.AI', 'cs.AI', 'cs.LG', 'cs.LG', 'math.ST'],
    ['cs.AI', 'cs.CV', 'cs.LG', 'cs.AI', 'math.ST'],
  );

  it('uses the sorted union of true and predicted labels', () => {
    expect(evaluation.labels).toEqual(['cs.AI', 'cs.CV', 'cs.LG', 'math.ST']);
  });

  it('counts a label predicted but never true as a class with zero support in macro-F1', () => {
    expect(evaluation.accuracy).toBeCloseTo(0.6, 12);
    expect(evaluation.macroF1).toBeCloseTo(0.5416666666666666, 12);
    expect(evaluation.perClass.map((metrics) => [metrics.precision, metrics.recall, metrics.support])).toEqual([
      [0.5, 0.5, 2],
      [0, 0, 0],
      [1, 0.5, 2],
      [1, 1, 1],
    ]);
    expect(evaluation.perClass[2]!.f1).toBeCloseTo(0.6666666666666666, 12);
  });

  it('matches the scikit-learn confusion matrix', () => {
    expect(evaluation.confusion).toEqual([
      [1, 1, 0, 0],
      [0, 0, 0, 0],
      [1, 0, 1, 0],
      [0, 0, 0, 1],
    ]);
  });
});
