import { createHash } from 'node:crypto';

/**
 * Papers an embedder is not fitted on, chosen by a hash of the id. Latent semantic analysis
 * remembers the papers it was fitted on (they load on its smallest components, new papers do not),
 * so a domain classifier tells them from any new paper: monitoring's reference data must be
 * papers the embedder never saw, and these are they.
 */
export interface EmbedderHoldout {
  salt: string;
  /** Share of ids held out, in [0, 1). */
  share: number;
}

/**
 * The hash is the training split's (sha256 of seed and id) with its default seed, 42: the split
 * tests on each class's lowest-ranked 20% and validates on the next 10%, so the papers held out
 * here are, nearly all, the ones a model is tested and validated on — unseen by both.
 */
export const DEFAULT_EMBEDDER_HOLDOUT: EmbedderHoldout = { salt: '42', share: 0.25 };

export function isHeldOut(arxivId: string, holdout: EmbedderHoldout): boolean {
  const bits = parseInt(createHash('sha256').update(`${holdout.salt}\u0000${arxivId}`).digest('hex').slice(0, 8), 16);
  return bits / 2 ** 32 < holdout.share;
}
