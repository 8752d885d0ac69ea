import type { LayersModel, io as tfio } from '@tensorflow/tfjs';
import type { Tf } from './tfjs';

/** The model in TF.js layers format: model.json (topology + weights manifest) and one weights.bin. */
export async function layersModelArtifacts(
  tf: Tf,
  model: LayersModel,
): Promise<{ modelJson: string; weights: Buffer }> {
  let saved: tfio.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      saved = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  const artifacts = saved!;
  const modelJson = JSON.stringify({
    format: 'layers-model',
    generatedBy: `TensorFlow.js tfjs-layers v${tf.version.tfjs}`,
    convertedBy: null,
    modelTopology: artifacts.modelTopology,
    weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }],
  });
  return { modelJson, weights: Buffer.from(tf.io.CompositeArrayBuffer.join(artifacts.weightData!)) };
}

/** The model of layersModelArtifacts' model.json and weights.bin. */
export async function loadLayersModelArtifacts(tf: Tf, modelJson: string, weights: Buffer): Promise<LayersModel> {
  const parsed = JSON.parse(modelJson) as {
    modelTopology: object;
    weightsManifest: Array<{ weights: tfio.WeightsManifestEntry[] }>;
  };
  const weightData = weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength) as ArrayBuffer;
  return tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: parsed.modelTopology,
      weightSpecs: parsed.weightsManifest.flatMap((group) => group.weights),
      weightData,
    }),
  );
}
