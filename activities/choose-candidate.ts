import { Context } from '@temporalio/activity';
import { chooseWinner } from '../lib/model/candidates';
import { candidatesChartSvg, candidatesCsv } from '../lib/model/candidates-report';
import { RUN_ARTIFACTS, RUN_METRICS, RUN_PARAMS, RUN_TAGS } from '../lib/tracking/run-names';
import { runParam, runTag, type Run } from '../lib/tracking/types';
import { trainResultOf } from '../lib/training/train-result';
import type { ChooseCandidateInput, TrainResult } from '../lib/training/types';
import type { ActivityDeps } from './deps';
import { failFastOn } from './errors';

/** Artifacts a parent run keeps of its own, not copied from the winner. */
const PARENT_OWN_ARTIFACTS = new Set<string>([
  RUN_ARTIFACTS.split,
  RUN_ARTIFACTS.result,
  RUN_ARTIFACTS.candidates,
  RUN_ARTIFACTS.candidatesCsv,
  RUN_ARTIFACTS.candidatesChart,
]);

/** The I/O task queue's end of a training with candidates: choosing the winner and making the parent run its model. */
export function createChooseCandidateActivities(deps: ActivityDeps) {
  const { mlflow } = deps;

  /** Copies every artifact of the winner's run into the parent, so serving and monitoring read the parent as any training run. */
  async function copyWinnerArtifacts(winnerRun: Run, parent: Run, folder = ''): Promise<void> {
    for (const file of await mlflow.listArtifacts(winnerRun, folder)) {
      if (file.is_dir) {
        await copyWinnerArtifacts(winnerRun, parent, file.path);
        continue;
      }
      if (PARENT_OWN_ARTIFACTS.has(file.path)) continue;
      let body = await mlflow.downloadArtifact(winnerRun, file.path);
      if (file.path === RUN_ARTIFACTS.mlModel)
        body = Buffer.from(body.toString('utf8').replace(/^run_id: .*$/m, `run_id: ${parent.info.run_id}`));
      await mlflow.uploadArtifact(parent, file.path, body);
      Context.current().heartbeat({ copying: file.path });
    }
  }

  /**
   * Picks the candidate with the best validation macro-F1, records the comparison in the parent
   * run (candidates.json / .csv, a chart, metrics), and makes the parent the winner's model: its
   * artifacts at the paths serving and monitoring read, its family and test metrics. The champion
   * gate then scores the parent.
   */
  async function chooseCandidate(input: ChooseCandidateInput): Promise<TrainResult> {
    return failFastOn(async () => {
      const { prepared, candidates } = input;
      const parent = await mlflow.getRun(prepared.runId);
      if (parent.info.status === 'FINISHED')
        return JSON.parse(
          (await mlflow.downloadArtifact(parent, RUN_ARTIFACTS.result)).toString('utf8'),
        ) as TrainResult;
      const winner = chooseWinner(candidates);
      const winnerRun = await mlflow.getRun(winner.runId);
      await copyWinnerArtifacts(winnerRun, parent);
      await mlflow.uploadArtifact(
        parent,
        RUN_ARTIFACTS.candidates,
        JSON.stringify(
          { winner: winner.name, chosenBy: 'validation macro-F1', candidates, failed: input.failed ?? [] },
          null,
          2,
        ),
        'application/json',
      );
      await mlflow.uploadArtifact(
        parent,
        RUN_ARTIFACTS.candidatesCsv,
        candidatesCsv(candidates, winner.name),
        'text/csv',
      );
      await mlflow.uploadArtifact(
        parent,
        RUN_ARTIFACTS.candidatesChart,
        candidatesChartSvg(candidates, winner.name),
        'image/svg+xml',
      );
      if (!runParam(parent, RUN_PARAMS.modelFamily))
        await mlflow.logParams(parent.info.run_id, { [RUN_PARAMS.modelFamily]: winner.family, winner: winner.name });
      const metrics: Record<string, number> = {
        [RUN_METRICS.testAccuracy]: winner.accuracy,
        [RUN_METRICS.testMacroF1]: winner.macroF1,
        [RUN_METRICS.valAccuracy]: winner.validationAccuracy,
        [RUN_METRICS.valMacroF1]: winner.validationMacroF1,
        candidates: candidates.length,
      };
      for (const [label, f1] of Object.entries(winner.perClassF1)) metrics[`${RUN_METRICS.testF1Of}${label}`] = f1;
      for (const candidate of candidates)
        metrics[`candidate_val_macro_f1/${candidate.name.replace(/[^\w./ -]/g, '_')}`] = candidate.validationMacroF1;
      await mlflow.logMetrics(parent.info.run_id, metrics);
      await mlflow.setTags(parent.info.run_id, {
        [RUN_TAGS.winner]: winner.name,
        [RUN_TAGS.referenceEmbedderInSample]: runTag(winnerRun, RUN_TAGS.referenceEmbedderInSample) ?? 'false',
        [RUN_TAGS.note]: `Candidates ${candidates.map((c) => `${c.name} (validation macro-F1 ${c.validationMacroF1.toFixed(4)})`).join(', ')}; the winner, ${winner.name}, is this run's model.`,
      });
      const result = trainResultOf(prepared, winner, (Date.now() - input.startedAt) / 1000, candidates);
      await mlflow.uploadArtifact(parent, RUN_ARTIFACTS.result, JSON.stringify(result, null, 2), 'application/json');
      await mlflow.updateRun(parent.info.run_id, 'FINISHED');
      return result;
    });
  }

  return { chooseCandidate };
}
