import { paperText } from '../../../lib/arxiv/record';
import { fitLsaEmbedder } from '../../../lib/embedding/lsa-embedder';
import {
  candidateSettings,
  fitCandidate,
  type CandidateData,
  type LabeledPaper,
} from '../../../lib/model/candidate-fit';
import { parseCandidate } from '../../../lib/model/candidates';
import { argmaxRows, MissingInputError } from '../../../lib/model/family';
import { stratifiedSplit } from '../../../lib/model/split';
import { samplePapers, SMALL_CONFIG } from '../embedding/sample-corpus';

/** The bundled sample's five largest categories, embedded by an LSA fitted on the training papers. */
async function sampleData(): Promise<CandidateData> {
  const papers = await samplePapers(4_000);
  const counts = new Map<string, number>();
  for (const paper of papers) counts.set(paper.primaryCategory, (counts.get(paper.primaryCategory) ?? 0) + 1);
  const top = new Set(
    [...counts]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 5)
      .map(([label]) => label),
  );
  const kept = papers.filter((paper) => top.has(paper.primaryCategory));
  const split = stratifiedSplit(
    kept,
    (p) => p.primaryCategory,
    (p) => p.id,
    { test: 0.2, validation: 0.1 },
    42,
  );
  const embedder = fitLsaEmbedder(split.train.map(paperText), SMALL_CONFIG);
  const asPaper = (paper: (typeof kept)[number]): LabeledPaper => ({
    id: paper.id,
    label: paper.primaryCategory,
    text: paperText(paper),
    title: paper.title,
    vector: embedder.embed(paperText(paper)),
  });
  return { train: split.train.map(asPaper), validation: split.validation.map(asPaper), test: split.test.map(asPaper) };
}

describe('each model family trained as a candidate on real papers', () => {
  let data: CandidateData;
  beforeAll(async () => {
    data = await sampleData();
  }, 60_000);

  it.each([
    'lsa-mlp:hiddenUnits=32:maxEpochs=6',
    'tfidf-linear:minDf=2',
    'tfidf-linear:minDf=2:balanced=false:refit=false',
    'lsa-mlp:hiddenUnits=32:maxEpochs=6:balanced=true',
  ])(
    '%s: well above the majority class on validation and test, calibrated probabilities whose top-1 is its prediction',
    async (spec) => {
      const fitted = await fitCandidate(parseCandidate(spec), data);
      try {
        const majority =
          Math.max(...fitted.encoder.classes.map((label) => data.test.filter((p) => p.label === label).length)) /
          data.test.length;
        expect(fitted.test.accuracy).toBeGreaterThan(majority + 0.2);
        expect(fitted.validation.accuracy).toBeGreaterThan(majority + 0.2);
        expect(fitted.test.macroF1).toBeGreaterThan(0.4);
        const probabilities = fitted.model.probabilities(data.test);
        const k = fitted.encoder.size;
        for (let row = 0; row < data.test.length; row += 1) {
          const sum = probabilities.subarray(row * k, (row + 1) * k).reduce((total, p) => total + p, 0);
          expect(sum).toBeCloseTo(1, 5);
        }
        expect(Array.from(argmaxRows(probabilities, k), (code) => fitted.encoder.decode(code))).toEqual(
          fitted.testPredictions,
        );
        expect((await fitted.modelFiles()).length).toBeGreaterThan(0);
      } finally {
        fitted.dispose();
      }
    },
    120_000,
  );

  it('says which input a family misses', async () => {
    const withoutText = { ...data, train: data.train.map(({ text: _text, title: _title, ...paper }) => paper) };
    await expect(fitCandidate(parseCandidate('tfidf-linear'), withoutText)).rejects.toThrow(/has no text/);
    const fitted = await fitCandidate(parseCandidate('tfidf-linear:minDf=2'), data);
    expect(() => fitted.model.probabilities([{ vector: data.test[0]!.vector }])).toThrow(MissingInputError);
  });

  it('refit=true keeps the validation figures of the model trained without validation, and serves one trained with it', async () => {
    const plain = await fitCandidate(parseCandidate('tfidf-linear:minDf=2:refit=false'), data);
    const refit = await fitCandidate(parseCandidate('tfidf-linear:minDf=2:refit=true'), data);
    try {
      expect(refit.validation).toEqual(plain.validation);
      expect(plain.facts.metrics.trained_papers).toBe(data.train.length);
      expect(refit.facts.metrics.trained_papers).toBe(data.train.length + data.validation.length);
      expect(refit.facts.metrics.temperature).toBe(plain.facts.metrics.temperature);
      expect(Array.from(refit.model.probabilities(data.test.slice(0, 5)))).not.toEqual(
        Array.from(plain.model.probabilities(data.test.slice(0, 5))),
      );
      expect(refit.test.accuracy).toBeGreaterThan(0.6);
    } finally {
      plain.dispose();
      refit.dispose();
    }
  }, 120_000);

  it('records every setting a candidate trains with, its own over the family defaults', () => {
    expect(candidateSettings(parseCandidate('tfidf-linear:c=2'))).toMatchObject({
      c: 2,
      balanced: true,
      balancePower: 0.3,
      refit: true,
      refitMaxEpochs: 60,
      unknownTermsAsSlack: true,
      ngramMax: 2,
      sublinearTf: true,
    });
    expect(candidateSettings(parseCandidate('tfidf-linear:balanced=false:balancePower=0.5:refit=false'))).toMatchObject(
      { balanced: false, balancePower: 0.5, refit: false },
    );
    expect(candidateSettings(parseCandidate('tfidf-linear:refitMaxEpochs=3:unknownTermsAsSlack=false'))).toMatchObject({
      refitMaxEpochs: 3,
      unknownTermsAsSlack: false,
    });
    expect(candidateSettings(parseCandidate('lsa-mlp:hiddenUnits=8'))).toMatchObject({
      hiddenUnits: 8,
      balanced: false,
      seed: 42,
    });
  });
});
