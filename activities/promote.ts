import { announcePromotion } from '../lib/tracking/promotions';
import { RUN_ARTIFACTS, RUN_METRICS, RUN_TAGS } from '../lib/tracking/run-names';
import type { ChampionScore } from './champion-score';
import type { ActivityDeps } from './deps';
import { failFastOn } from './errors';

export interface PromotionInput {
  runId: string;
  candidateMacroF1: number;
  champion: ChampionScore | undefined;
}

export interface PromotionResult {
  modelName: string;
  modelVersion: string;
  promoted: boolean;
  /** The alias moved to another version after the champion was scored: score again. */
  championChanged: boolean;
  /** Why, in a sentence, for the summary and the run's tags. */
  reason: string;
  alias: string;
}

/** The champion gate's I/O: the model registered as a version, and the alias moved when it wins. */
export function createPromotionActivities(deps: ActivityDeps) {
  const { mlflow } = deps;
  const { modelName, alias } = deps.config.tracking;

  /**
   * Registers the run's model as a new version (once, even when retried) and moves the alias to
   * it only if its macro-F1 is not worse than the champion's on the same test papers. The
   * decision and both scores are written to the run as tags. When the alias moved since the
   * champion was scored, nothing is decided: the workflow scores the new champion first.
   */
  async function registerAndPromote(input: PromotionInput): Promise<PromotionResult> {
    return failFastOn(async () => {
      const run = await mlflow.getRun(input.runId);
      await mlflow.ensureRegisteredModel(
        modelName,
        'arXiv primary-category classifier (TF.js MLP over LSA embeddings)',
      );
      const [existing] = await mlflow.modelVersionsOfRun(modelName, input.runId);
      const version =
        existing ??
        (await mlflow.createModelVersion(modelName, run, RUN_ARTIFACTS.modelDir, {
          [RUN_METRICS.testMacroF1]: input.candidateMacroF1.toFixed(6),
        }));
      const { champion } = input;
      const current = await mlflow.getVersionByAlias(modelName, alias);
      const result = (promoted: boolean, reason: string, championChanged = false): PromotionResult => ({
        modelName,
        modelVersion: version.version,
        promoted,
        championChanged,
        reason,
        alias,
      });
      if (current?.version === version.version) return result(true, 'already the champion');
      if (current?.version !== champion?.version) {
        // Another training moved the alias after this one scored the champion: the workflow scores again.
        return result(
          false,
          `the champion became v${current?.version ?? 'none'} while this run was compared with v${champion?.version ?? 'none'}`,
          true,
        );
      }
      const candidateScore = champion ? champion.candidateMacroF1 : input.candidateMacroF1;
      let promoted: boolean;
      let reason: string;
      if (!champion) {
        promoted = true;
        reason = 'first model: promoted';
      } else {
        const comparison = `on the ${champion.sharedTestRows} test papers neither model trained on`;
        promoted = champion.candidateMacroF1 >= champion.macroF1;
        reason = promoted
          ? `macro-F1 ${champion.candidateMacroF1.toFixed(4)} ≥ champion v${champion.version}'s ${champion.macroF1.toFixed(4)} ${comparison}`
          : `macro-F1 ${champion.candidateMacroF1.toFixed(4)} < champion v${champion.version}'s ${champion.macroF1.toFixed(4)} ${comparison}: champion kept`;
      }
      if (promoted) await mlflow.setAlias(modelName, alias, version.version);
      await mlflow.setTags(input.runId, {
        [RUN_TAGS.decision]: promoted ? 'promoted' : 'kept-champion',
        [RUN_TAGS.candidateMacroF1]: candidateScore.toFixed(6),
        [RUN_TAGS.championMacroF1]: champion ? champion.macroF1.toFixed(6) : 'none',
        [RUN_TAGS.championVersion]: champion ? champion.version : 'none',
        [RUN_TAGS.modelVersion]: version.version,
        [RUN_TAGS.sharedTestRows]: champion ? String(champion.sharedTestRows) : 'none',
        [RUN_TAGS.promotionReason]: reason,
      });
      if (promoted) {
        // Serving APIs reload now rather than at their next poll; if nobody hears it, the poll still does.
        await announcePromotion(deps.redis, { modelName, alias, version: version.version, runId: input.runId }).catch(
          () => 0,
        );
      }
      return result(promoted, reason);
    });
  }

  return { registerAndPromote };
}
