import type { ModelFamily } from '../model/family';

/**
 * The MLmodel file of a training run's `model/` directory: an MLflow Model of a flavor of our own
 * whose `family` says how to load it (lsa-mlp: TensorFlow.js layers over the LSA embedder's
 * vector; tfidf-linear: one sparse linear file over the text), with the signature — title and
 * abstract in, category and class probabilities out — and an input example, so the registry shows its schema.
 */
export const MLMODEL_FLAVOR = 'arxiv_mlops';

export interface MlModelFacts {
  family: ModelFamily;
  runId: string;
  createdAt: string;
  classes: string[];
  embedderVersion: string;
  embedderSha256: string;
  backend: string;
}

const quote = (text: string) => JSON.stringify(text);

export function mlModelFile(facts: MlModelFacts): string {
  const inputs = JSON.stringify([
    { type: 'string', name: 'title', required: true },
    { type: 'string', name: 'abstract', required: true },
  ]);
  const outputs = JSON.stringify([
    { type: 'string', name: 'category', required: true },
    { type: 'array', items: { type: 'float' }, name: 'probabilities', required: true },
  ]);
  return [
    'artifact_path: model',
    `run_id: ${facts.runId}`,
    `utc_time_created: ${quote(facts.createdAt)}`,
    'flavors:',
    `  ${MLMODEL_FLAVOR}:`,
    `    family: ${facts.family}`,
    ...(facts.family === 'tfidf-linear'
      ? ['    format: sparse-linear', '    model_file: sparse_linear.bin']
      : ['    format: tfjs-layers', '    model_json: model.json', '    weights: weights.bin']),
    '    label_encoder: ../label_encoder.json',
    '    embedder: ../embedder/embedder.bin',
    `    embedder_version: ${facts.embedderVersion}`,
    `    embedder_sha256: ${facts.embedderSha256}`,
    ...(facts.family === 'lsa-mlp' ? [`    tfjs_backend: ${facts.backend}`] : []),
    `    classes: ${quote(facts.classes.join(','))}`,
    'signature:',
    `  inputs: ${quote(inputs)}`,
    `  outputs: ${quote(outputs)}`,
    'saved_input_example_info:',
    '  artifact_path: input_example.json',
    '  type: dataframe',
    '  pandas_orient: split',
    '',
  ].join('\n');
}

/** input_example.json in pandas' "split" orientation, as MLflow stores input examples. */
export function inputExample(title: string, abstract: string): string {
  return JSON.stringify({ columns: ['title', 'abstract'], data: [[title, abstract]] });
}
