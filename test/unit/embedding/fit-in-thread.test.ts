import { paperText } from '../../../lib/arxiv/record';
import { fitInThread } from '../../../lib/embedding/fit-in-thread';
import { fitLsaEmbedder } from '../../../lib/embedding/lsa-embedder';
import { samplePapers, SMALL_CONFIG } from './sample-corpus';

// The thread runs dist/lib/embedding/fit-thread-worker.js: run `npm run build` before these tests.

let texts: string[];

beforeAll(async () => {
  texts = (await samplePapers(200)).map(paperText);
});

describe('fitInThread', () => {
  it('gives the same embedder as a fit in this thread, and reports its steps', async () => {
    const steps: string[] = [];
    const threaded = await fitInThread(texts, SMALL_CONFIG, { onStep: (step) => steps.push(step) });
    const inProcess = fitLsaEmbedder(texts, SMALL_CONFIG);
    expect(threaded.version).toBe(inProcess.version);
    expect(threaded.embed(texts[0]!)).toEqual(inProcess.embed(texts[0]!));
    expect(steps).toEqual([
      'vocabulary',
      'tf-idf matrix',
      'sketch',
      'power iteration 1/4',
      'power iteration 2/4',
      'power iteration 3/4',
      'power iteration 4/4',
      'project',
    ]);
  });

  it('rejects with the abort reason when cancelled', async () => {
    const controller = new AbortController();
    const fit = fitInThread(texts, SMALL_CONFIG, { signal: controller.signal });
    controller.abort(new Error('the activity was cancelled'));
    await expect(fit).rejects.toThrow('the activity was cancelled');
  });

  it('rejects with the fit error when the corpus cannot be fitted', async () => {
    await expect(fitInThread(['one text'], SMALL_CONFIG)).rejects.toThrow(/at least 2 reference texts/);
  });
});
