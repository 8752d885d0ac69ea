import { adminKeyChecker, presentedKey } from '../../../api/admin-key';
import { ModelHolder, NoModelLoadedError, type ServedModel } from '../../../api/model-holder';
import { ModelReloader, type ServingChoice } from '../../../api/model-reloader';
import type { TextPredictor } from '../../../lib/tracking/serving-model';

/** The API's serving logic that needs no engine: key checks, leases of a swapped model, reload decisions. */
function served(runId: string, version: string | null, disposed: string[]): ServedModel {
  const predictor = {
    runId,
    embedderVersion: 'lsa-test',
    classes: ['a', 'b'],
    dispose: () => disposed.push(runId),
  } as unknown as TextPredictor;
  return {
    predictor,
    modelName: 'm',
    modelVersion: version,
    chosenBy: 'alias',
    alias: 'champion',
    loadedAt: new Date(0),
  };
}

describe('admin key', () => {
  const check = adminKeyChecker('s3cret');
  it('accepts the key, refuses a wrong, a shorter or a longer one, and says when it is missing', () => {
    expect(check('s3cret')).toBe('ok');
    expect(check('s3creT')).toBe('wrong');
    expect(check('s3cre')).toBe('wrong');
    expect(check('s3cret!')).toBe('wrong');
    expect(check(undefined)).toBe('missing');
  });
  it('is off without a configured key', () => expect(adminKeyChecker(undefined)('anything')).toBe('disabled'));
  it('reads x-api-key or a bearer token', () => {
    expect(presentedKey({ 'x-api-key': 'k1' })).toBe('k1');
    expect(presentedKey({ authorization: 'Bearer k2' })).toBe('k2');
    expect(presentedKey({ authorization: 'Basic abc' })).toBeUndefined();
    expect(presentedKey({})).toBeUndefined();
  });
});

describe('model holder', () => {
  it('says no model is loaded with a 503', () => {
    expect(() => new ModelHolder().current()).toThrow(NoModelLoadedError);
  });
  it('disposes of a replaced model only when its last lease is released', () => {
    const disposed: string[] = [];
    const holder = new ModelHolder(served('r1', '1', disposed));
    const first = holder.lease();
    const second = holder.lease();
    holder.swap(served('r2', '2', disposed));
    expect(holder.current().predictor.runId).toBe('r2');
    expect(first.served.predictor.runId).toBe('r1');
    first.release();
    first.release(); // twice counts once
    expect(disposed).toEqual([]);
    second.release();
    expect(disposed).toEqual(['r1']);
  });
  it('disposes at once of a replaced model nobody uses', () => {
    const disposed: string[] = [];
    const holder = new ModelHolder(served('r1', '1', disposed));
    holder.lease().release();
    holder.swap(served('r2', '2', disposed));
    expect(disposed).toEqual(['r1']);
  });
});

describe('model reloader', () => {
  it('loads only when the chosen run or version changed, one reload at a time', async () => {
    const disposed: string[] = [];
    const holder = new ModelHolder(served('r1', '1', disposed));
    let choice: ServingChoice = { runId: 'r1', modelVersion: '1' };
    let loads = 0;
    const reloader = new ModelReloader(holder, {
      choose: async () => choice,
      load: async () => {
        loads += 1;
        await new Promise((resolve) => setTimeout(resolve, 20));
        return served(choice.runId, choice.modelVersion, disposed);
      },
    });
    expect(await reloader.reload('poll')).toMatchObject({ changed: false });
    expect(loads).toBe(0);
    choice = { runId: 'r2', modelVersion: '2' };
    const [a, b, c] = await Promise.all([
      reloader.reload('poll'),
      reloader.reload('admin'),
      reloader.reload('promotion'),
    ]);
    expect(a).toMatchObject({ changed: true, from: { runId: 'r1' }, to: { runId: 'r2' } });
    // Asked during a reload: they wait for it, then find nothing new.
    expect(b).toMatchObject({ changed: false });
    expect(c).toBe(b);
    expect(loads).toBe(1);
    expect(disposed).toEqual(['r1']);
  });
  it('keeps the current model when loading fails', async () => {
    const holder = new ModelHolder(served('r1', '1', []));
    const reloader = new ModelReloader(holder, {
      choose: async () => ({ runId: 'r9', modelVersion: '9' }),
      load: async () => Promise.reject(new Error('MLflow down')),
    });
    await expect(reloader.reload('poll')).rejects.toThrow('MLflow down');
    expect(holder.current().predictor.runId).toBe('r1');
  });
});
