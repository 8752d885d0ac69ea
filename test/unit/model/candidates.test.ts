import { loadConfig } from '../../../lib/config';
import {
  CandidateSpecError,
  chooseWinner,
  DEFAULT_CANDIDATES,
  parseCandidate,
  parseCandidates,
} from '../../../lib/model/candidates';
import { candidatesChartSvg, candidatesCsv, type CandidateRow } from '../../../lib/model/candidates-report';

describe('training candidates', () => {
  it('are the sparse family alone unless TRAIN_CANDIDATES says otherwise, in the config as in the code', () => {
    expect(loadConfig({ PATH: process.env.PATH }).tracking.trainCandidates).toBe(DEFAULT_CANDIDATES);
    expect(
      loadConfig({ PATH: process.env.PATH, TRAIN_CANDIDATES: 'lsa-mlp,tfidf-linear' }).tracking.trainCandidates,
    ).toBe('lsa-mlp,tfidf-linear');
    expect(parseCandidates(DEFAULT_CANDIDATES).map((candidate) => candidate.family)).toEqual(['tfidf-linear']);
  });

  it('reads a family with settings over its defaults, typed as the defaults are', () => {
    expect(parseCandidate('tfidf-linear:c=0.25:balanced=true')).toEqual({
      name: 'tfidf-linear:c=0.25:balanced=true',
      family: 'tfidf-linear',
      hyperparameters: { c: 0.25, balanced: true },
    });
    expect(parseCandidate(' lsa-mlp:hiddenUnits=512 ')).toEqual({
      name: 'lsa-mlp:hiddenUnits=512',
      family: 'lsa-mlp',
      hyperparameters: { hiddenUnits: 512 },
    });
    expect(parseCandidates('lsa-mlp,tfidf-linear,tfidf-linear:c=1').map((candidate) => candidate.name)).toEqual([
      'lsa-mlp',
      'tfidf-linear',
      'tfidf-linear:c=1',
    ]);
  });

  it('refuses unknown families and settings, bad values and repeated names, saying which', () => {
    expect(() => parseCandidate('bert')).toThrow(/unknown model family "bert".*lsa-mlp, tfidf-linear/);
    expect(() => parseCandidate('tfidf-linear:hiddenUnits=3')).toThrow(/tfidf-linear has no setting "hiddenUnits"/);
    expect(() => parseCandidate('tfidf-linear:c=-1')).toThrow(/non-negative number/);
    expect(() => parseCandidate('tfidf-linear:balanced=yes')).toThrow(/true or false/);
    expect(() => parseCandidate('tfidf-linear:c')).toThrow(CandidateSpecError);
    expect(() => parseCandidates('lsa-mlp,lsa-mlp')).toThrow(/listed twice/);
    expect(() => parseCandidates(' , ')).toThrow(/no training candidate/);
  });

  it('chooses on validation macro-F1, then validation accuracy, then the order given', () => {
    const row = (name: string, validationMacroF1: number, validationAccuracy: number) => ({
      name,
      validationMacroF1,
      validationAccuracy,
    });
    expect(chooseWinner([row('a', 0.5, 0.9), row('b', 0.6, 0.1)]).name).toBe('b');
    expect(chooseWinner([row('a', 0.6, 0.7), row('b', 0.6, 0.8)]).name).toBe('b');
    expect(chooseWinner([row('a', 0.6, 0.8), row('b', 0.6, 0.8)]).name).toBe('a');
    expect(() => chooseWinner([])).toThrow(CandidateSpecError);
  });
});

describe('the candidates comparison', () => {
  const rows: CandidateRow[] = [
    {
      name: 'lsa-mlp',
      family: 'lsa-mlp',
      validationAccuracy: 0.7,
      validationMacroF1: 0.6,
      accuracy: 0.71,
      macroF1: 0.61,
      seconds: 30,
      peakRssBytes: 512 * 2 ** 20,
      perClassF1: { 'cs.LG': 0.8, 'math.AP': 0.4 },
    },
    {
      name: 'tfidf-linear:c=0.5',
      family: 'tfidf-linear',
      validationAccuracy: 0.75,
      validationMacroF1: 0.66,
      accuracy: 0.74,
      macroF1: 0.65,
      seconds: 12.345,
      peakRssBytes: 300 * 2 ** 20,
      perClassF1: { 'cs.LG': 0.82, 'hep-th': 0.9 },
    },
  ];

  it('has one CSV line per candidate with the test F1 of every class either saw', () => {
    const [header, first, second] = candidatesCsv(rows, 'tfidf-linear:c=0.5').split(/\r?\n/);
    expect(header).toBe(
      'candidate,family,winner,val_accuracy,val_macro_f1,test_accuracy,test_macro_f1,seconds,peak_rss_mb,test_f1/cs.LG,test_f1/hep-th,test_f1/math.AP',
    );
    expect(first).toBe('lsa-mlp,lsa-mlp,false,0.7,0.6,0.71,0.61,30,512,0.8,,0.4');
    expect(second).toBe('tfidf-linear:c=0.5,tfidf-linear,true,0.75,0.66,0.74,0.65,12.3,300,0.82,0.9,');
  });

  it('draws a standalone SVG naming every candidate and marking the winner', () => {
    const svg = candidatesChartSvg(rows, 'tfidf-linear:c=0.5');
    expect(svg).toMatch(/^<svg[^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    expect(svg).toContain('★ tfidf-linear:c=0.5');
    expect(svg).toContain('>lsa-mlp<');
    expect(svg).toContain('validation macro-F1');
  });
});
