/** What every training run stores, by artifact path, so writers and readers agree on the names. */
export const RUN_ARTIFACTS = {
  modelDir: 'model',
  modelJson: 'model/model.json',
  modelWeights: 'model/weights.bin',
  sparseLinearModel: 'model/sparse_linear.bin',
  mlModel: 'model/MLmodel',
  inputExample: 'model/input_example.json',
  embedder: 'embedder/embedder.bin',
  embedderManifest: 'embedder/manifest.json',
  labelEncoder: 'label_encoder.json',
  referenceData: 'reference_data.csv',
  confusionMatrix: 'confusion_matrix.svg',
  modelCard: 'model_card.json',
  split: 'split.json',
  testPredictions: 'test_predictions.json',
  result: 'train_result.json',
  /** The parent run of a training with candidates: one row per candidate, and the chart of them. */
  candidates: 'candidates.json',
  candidatesCsv: 'candidates.csv',
  candidatesChart: 'candidates.svg',
} as const;

export const RUN_TAGS = {
  idempotencyKey: 'mlops.idempotency_key',
  workflowId: 'mlops.temporal.workflow_id',
  workflowRunId: 'mlops.temporal.run_id',
  decision: 'mlops.promotion.decision',
  candidateMacroF1: 'mlops.promotion.candidate_macro_f1',
  championMacroF1: 'mlops.promotion.champion_macro_f1',
  championVersion: 'mlops.promotion.champion_version',
  modelVersion: 'mlops.registry.model_version',
  /** A parent training run: the candidates it tried (comma-separated names). */
  candidates: 'mlops.training.candidates',
  /** A candidate's nested run: its name. */
  candidate: 'mlops.training.candidate',
  /** A parent training run: the candidate whose model it carries. */
  winner: 'mlops.training.winner',
  backend: 'mlops.training.backend',
  /** true when reference_data.csv holds papers the embedder was fitted on (monitoring would see false drift). */
  referenceEmbedderInSample: 'mlops.reference.embedder_in_sample',
  sharedTestRows: 'mlops.promotion.shared_test_rows',
  promotionReason: 'mlops.promotion.reason',
  /** A monitoring run: the training run it compared with, and its verdicts. */
  servingRunId: 'mlops.monitor.serving_run_id',
  servingModelVersion: 'mlops.monitor.serving_model_version',
  drift: 'mlops.monitor.drift',
  qualityAlert: 'mlops.monitor.quality_alert',
  insufficientData: 'mlops.monitor.insufficient_data',
  /** MLflow's own tags, shown in its UI. */
  sourceName: 'mlflow.source.name',
  sourceType: 'mlflow.source.type',
  note: 'mlflow.note.content',
  parentRunId: 'mlflow.parentRunId',
} as const;

/** The params of training runs that other steps read back. */
export const RUN_PARAMS = {
  embedderVersion: 'embedder_version',
  modelFamily: 'model_family',
  /** Papers stored for the run's embedder when it trained: the pipeline counts new papers from it. */
  storedRows: 'stored_rows',
} as const;

/** The metrics of training runs that monitoring, promotion and the CLI read back. */
export const RUN_METRICS = {
  testAccuracy: 'test_accuracy',
  testMacroF1: 'test_macro_f1',
  valAccuracy: 'val_accuracy_final',
  valMacroF1: 'val_macro_f1',
  /** Per class: `test_recall/<label>` and so on. */
  testPrecisionOf: 'test_precision/',
  testRecallOf: 'test_recall/',
  testF1Of: 'test_f1/',
} as const;

/** MLflow 3 files experiments by kind; this one opens the model-training view (not GenAI's). */
export const MODEL_TRAINING_EXPERIMENT_TAGS = { 'mlflow.experimentKind': 'custom_model_development' } as const;
