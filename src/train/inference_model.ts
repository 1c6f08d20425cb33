/**
 * Portable inference models: what `save` writes beside a method's own models so that a trained
 * method can be served with TF.js alone (`tf.loadLayersModel`, no import of this library). Raw
 * NHWC images in [0, 1] go in; the method's preprocessing is expressed with standard layers; the
 * embeddings (and, for clustering methods, the chosen sub-head's cluster probabilities) come out.
 * The library's own batch-normalisation class is replaced by `tf.layers.batchNormalization` with
 * the same weights (both compute the same inference).
 */
import * as tf from '@tensorflow/tfjs';

import { BatchNormalization } from '../nn/batch_normalization.js';
import type { ModelStore } from './model_store.js';

/** The name under which `save` writes the inference model in a store (`inference.json` in a folder). */
export const INFERENCE_MODEL = 'inference';

/**
 * Builds a method's portable inference model with `build`, writes it to `store` under
 * {@link INFERENCE_MODEL} and disposes it, written or not; does nothing when `build` gives
 * `undefined` (a method that has none), and does not call `build` at all when the store
 * {@link ModelStore.skipsInferenceModel | skips the inference model}.
 */
export async function writeInferenceModel(store: Pick<ModelStore, 'writeModel' | 'skipsInferenceModel'>, build: () => Promise<tf.LayersModel | undefined>): Promise<void> {
  if (store.skipsInferenceModel === true) return;
  const model = await build();
  if (model === undefined) return;
  try {
    await store.writeModel(INFERENCE_MODEL, model);
  } finally {
    model.dispose();
  }
}

/** A JSON tree of a model topology (what `model.toJSON(null, false)` returns). */
type TopologyNode = { [key: string]: unknown } | unknown[] | string | number | boolean | null;

/** Rewrites the library's batch-norm layers in a topology to TF.js's `BatchNormalization`. */
function standardTopology(node: TopologyNode): TopologyNode {
  if (Array.isArray(node)) return node.map((item) => standardTopology(item as TopologyNode));
  if (node === null || typeof node !== 'object') return node;
  const out: { [key: string]: unknown } = {};
  for (const [key, value] of Object.entries(node)) out[key] = standardTopology(value as TopologyNode);
  if (out.class_name === BatchNormalization.className) {
    const config = out.config as { [key: string]: unknown };
    out.class_name = 'BatchNormalization';
    out.config = { ...config, axis: -1, center: true, scale: true, momentum: config.momentum ?? 0.99, epsilon: config.epsilon ?? 1e-3 };
  }
  return out;
}

/** A reference to a layer's output in a functional model's JSON: `[layerName, nodeIndex, tensorIndex, kwargs?]`. */
function prefixReference(reference: unknown, prefix: string): unknown {
  return Array.isArray(reference) && typeof reference[0] === 'string' ? [`${prefix}${reference[0]}`, ...reference.slice(1)] : reference;
}

/**
 * Prefixes the name of every layer of a model's JSON config (a Sequential's or a functional
 * model's, nested models included) and every reference to them (inbound nodes, input and output
 * layers), so that several copies of one network can sit in one model with distinct weight names.
 */
function prefixLayerNames(config: { [key: string]: unknown }, prefix: string): void {
  if (!Array.isArray(config.layers)) return;
  for (const layer of config.layers as Array<{ [key: string]: unknown }>) {
    const layerConfig = layer.config as { [key: string]: unknown };
    if (typeof layerConfig.name === 'string') layerConfig.name = `${prefix}${layerConfig.name}`;
    if (typeof layer.name === 'string') layer.name = `${prefix}${layer.name}`;
    if (Array.isArray(layer.inbound_nodes)) layer.inbound_nodes = layer.inbound_nodes.map((node: unknown) => (Array.isArray(node) ? node.map((reference) => prefixReference(reference, prefix)) : node));
    prefixLayerNames(layerConfig, prefix);
  }
  for (const key of ['input_layers', 'output_layers']) {
    if (Array.isArray(config[key])) config[key] = (config[key] as unknown[]).map((reference) => prefixReference(reference, prefix));
  }
}

/** Options of {@link standardLayersCopy}. */
export interface StandardLayersCopyOptions {
  /** Prepended to every layer's name (e.g. `'class_3_'`), so that several copies of one network fit in one model. Default none. */
  layerPrefix?: string;
  /**
   * The output layer's activation becomes linear: the copy gives the pre-activation (e.g. the
   * logits under a sigmoid). For a Sequential model, or a functional one with one output layer.
   */
  linearOutput?: boolean;
}

/**
 * A copy of `model` made of standard TF.js layer classes only (the library's batch normalisation
 * becomes `tf.layers.batchNormalization`), with a copy of its weights. The caller disposes it.
 *
 * @param name the copy's name (its layers keep theirs unless `options.layerPrefix` is given).
 */
export async function standardLayersCopy(model: tf.LayersModel, name: string, options: StandardLayersCopyOptions = {}): Promise<tf.LayersModel> {
  const topology = standardTopology(model.toJSON(null, false) as TopologyNode) as { [key: string]: unknown };
  const config = topology.config as { [key: string]: unknown };
  if (options.linearOutput === true) {
    const layers = config.layers as Array<{ [key: string]: unknown }>;
    const outputs = config.output_layers as unknown[][] | undefined;
    const outputName = outputs === undefined ? undefined : outputs.length === 1 ? outputs[0][0] : null;
    const output = outputName === undefined ? layers.at(-1) : layers.find((layer) => layer.name === outputName);
    if (output === undefined) throw new Error(`standardLayersCopy: linearOutput needs a model with one output layer; ${model.name} has ${outputs?.length ?? 0}.`);
    (output.config as { [key: string]: unknown }).activation = 'linear';
  }
  if (options.layerPrefix !== undefined) prefixLayerNames(config, options.layerPrefix);
  config.name = name;
  const copy = await tf.models.modelFromJSON({ modelTopology: topology as tf.io.ModelJSON['modelTopology'] });
  const weights = model.getWeights();
  copy.setWeights(weights);
  return copy;
}

/**
 * The matrix [outputSize, side] of bilinear interpolation along one axis that `tf.image.cropAndResize`
 * applies to the pixels `start` … `start + length − 1` of an axis of `side` pixels (the box's end
 * pixels are the first and last output pixels).
 */
function interpolationMatrix(side: number, start: number, length: number, outputSize: number): Float32Array {
  const matrix = new Float32Array(outputSize * side);
  const denominator = Math.max(1, side - 1);
  const low = start / denominator;
  const high = (start + length - 1) / denominator;
  for (let i = 0; i < outputSize; i++) {
    // cropAndResize: in = y1·(side − 1) + i·(y2 − y1)·(side − 1)/(out − 1); one output pixel: the box centre.
    const source = outputSize > 1 ? low * (side - 1) + (i * (high - low) * (side - 1)) / (outputSize - 1) : 0.5 * (low + high) * (side - 1);
    const top = Math.floor(source);
    const bottom = Math.min(side - 1, Math.ceil(source));
    const fraction = source - top;
    matrix[i * side + top] += 1 - fraction;
    matrix[i * side + bottom] += fraction;
  }
  return matrix;
}

/**
 * Standard layers that crop the box (`top`, `left`, `height` x `width`) out of images [n, h, w, c]
 * and resize it to `outputSize` x `outputSize` bilinearly, as `cropAndResizeBoxes` does (e.g. IIC's
 * centre crop): bilinear resizing is separable, so it is two Dense layers without bias (one per
 * axis, their kernels the interpolation matrices) between Permute layers.
 */
export function cropAndResizeLayers(input: tf.SymbolicTensor, box: { top: number; left: number; height: number; width: number }, outputSize: number, name: string): tf.SymbolicTensor {
  const [, h, w] = input.shape as [null, number, number, number];
  // Dense kernels are [inputs, units]: the transposed interpolation matrices.
  const alongWidth = tf.tidy(() => tf.tensor2d(interpolationMatrix(w, box.left, box.width, outputSize), [outputSize, w]).transpose());
  const alongHeight = tf.tidy(() => tf.tensor2d(interpolationMatrix(h, box.top, box.height, outputSize), [outputSize, h]).transpose());
  try {
    // [n, h, w, c] → [n, c, h, w] → resize w → [n, c, h, w'] → [n, c, w', h] → resize h → [n, c, w', h'] → [n, h', w', c]
    let x = tf.layers.permute({ dims: [3, 1, 2], name: `${name}_channels_first` }).apply(input) as tf.SymbolicTensor;
    const resizeWidth = tf.layers.dense({ units: outputSize, useBias: false, name: `${name}_resize_width`, weights: [alongWidth] });
    x = resizeWidth.apply(x) as tf.SymbolicTensor;
    x = tf.layers.permute({ dims: [1, 3, 2], name: `${name}_swap` }).apply(x) as tf.SymbolicTensor;
    const resizeHeight = tf.layers.dense({ units: outputSize, useBias: false, name: `${name}_resize_height`, weights: [alongHeight] });
    x = resizeHeight.apply(x) as tf.SymbolicTensor;
    return tf.layers.permute({ dims: [3, 2, 1], name: `${name}_channels_last` }).apply(x) as tf.SymbolicTensor;
  } finally {
    alongWidth.dispose();
    alongHeight.dispose();
  }
}

/** IIC's clean view as standard layers: the centre `crop` x `crop` square resized to `outputSize` (as `centerCrop`). */
export function centerCropLayers(input: tf.SymbolicTensor, crop: number, outputSize: number, name: string): tf.SymbolicTensor {
  const [, h, w] = input.shape as [null, number, number, number];
  return cropAndResizeLayers(input, { top: Math.floor((h - crop) / 2), left: Math.floor((w - crop) / 2), height: crop, width: crop }, outputSize, name);
}

/**
 * DeepCluster's Sobel input (`sobelFilter`: the channels' mean filtered by the horizontal and
 * vertical 3x3 Sobel kernels, 'same' padding) as one standard Conv2D layer without bias: the mean
 * folds into the kernel (each input channel's share is 1/c).
 */
export function sobelLayer(input: tf.SymbolicTensor, name: string): tf.SymbolicTensor {
  const channels = input.shape[3] as number;
  const gx = [1, 0, -1, 2, 0, -2, 1, 0, -1];
  const gy = [1, 2, 1, 0, 0, 0, -1, -2, -1];
  // [kh, kw, in, out = 2]: Gx then Gy, each divided by the channel count.
  const values = gx.flatMap((x, i) => Array.from({ length: channels }, () => [x / channels, gy[i] / channels]).flat());
  const kernel = tf.tensor4d(values, [3, 3, channels, 2]);
  try {
    return tf.layers.conv2d({ filters: 2, kernelSize: 3, padding: 'same', useBias: false, name, weights: [kernel] }).apply(input) as tf.SymbolicTensor;
  } finally {
    kernel.dispose();
  }
}

/** What {@link buildInferenceModel} composes. */
export interface InferenceModelParts {
  /** The images' `[height, width, channels]`. */
  inputShape: [number, number, number];
  /** Standard layers from the raw images to the backbone's input (e.g. IIC's centre crop); none: the images as they are. */
  preprocess?: (images: tf.SymbolicTensor) => tf.SymbolicTensor;
  /**
   * The network from the preprocessed images to the embeddings (copied with standard layers), or
   * several applied in order (FilterDistinguisher's levels). A first network whose input is flat
   * vectors `[n, d]` gets the images flattened; an output of rank > 2 is flattened (as `embed`
   * reshapes it to `[n, features]`).
   */
  backbone: tf.LayersModel | tf.LayersModel[];
  /** A head on the embeddings whose output is the second output (e.g. IIC's chosen sub-head: cluster probabilities). */
  head?: tf.LayersModel;
  /** An activation between the embeddings and the head (DeepCluster: ReLU). Default none. */
  headInputActivation?: 'relu';
  /** An activation after the head (DeepCluster's head gives logits: softmax). Default none. */
  headOutputActivation?: 'softmax';
  /** The model's name. */
  name: string;
}

/**
 * The portable inference model of a method: raw images [n, h, w, c] in [0, 1] in; the embeddings
 * out, then the head's output when there is a head. Standard layer classes only, its own copy of
 * the weights (the caller disposes it).
 */
export async function buildInferenceModel(parts: InferenceModelParts): Promise<tf.LayersModel> {
  const copies: tf.LayersModel[] = [];
  try {
    const networks = Array.isArray(parts.backbone) ? parts.backbone : [parts.backbone];
    const backbones: tf.LayersModel[] = [];
    for (const [i, network] of networks.entries()) {
      const copy = await standardLayersCopy(network, networks.length === 1 ? `${parts.name}_backbone` : `${parts.name}_backbone${i}`);
      copies.push(copy);
      backbones.push(copy);
    }
    const head = parts.head === undefined ? undefined : await standardLayersCopy(parts.head, `${parts.name}_head`);
    if (head !== undefined) copies.push(head);
    const images = tf.input({ shape: parts.inputShape, name: `${parts.name}_images` });
    let preprocessed = parts.preprocess === undefined ? images : parts.preprocess(images);
    // A network on flat vectors (a dense autoencoder's encoder) gets the images flattened, as its batches are.
    if (backbones[0].inputs[0].shape.length === 2 && preprocessed.rank > 2) preprocessed = tf.layers.flatten({ name: `${parts.name}_flat_images` }).apply(preprocessed) as tf.SymbolicTensor;
    let embeddings = preprocessed;
    for (const backbone of backbones) embeddings = backbone.apply(embeddings) as tf.SymbolicTensor;
    if (embeddings.rank > 2) embeddings = tf.layers.flatten({ name: `${parts.name}_flatten` }).apply(embeddings) as tf.SymbolicTensor;
    const outputs = [embeddings];
    if (head !== undefined) {
      const headInput = parts.headInputActivation === undefined ? embeddings : (tf.layers.activation({ activation: parts.headInputActivation, name: `${parts.name}_head_input` }).apply(embeddings) as tf.SymbolicTensor);
      const headOutput = head.apply(headInput) as tf.SymbolicTensor;
      outputs.push(parts.headOutputActivation === undefined ? headOutput : (tf.layers.activation({ activation: parts.headOutputActivation, name: `${parts.name}_probabilities` }).apply(headOutput) as tf.SymbolicTensor));
    }
    return tf.model({ inputs: images, outputs: outputs.length === 1 ? outputs[0] : outputs, name: parts.name });
  } catch (error) {
    for (const copy of copies) copy.dispose();
    throw error;
  }
}

/** Standard layers that scale and shift a tensor elementwise: `x · scale + offset`. */
function affineLayer(input: tf.SymbolicTensor, scale: number, offset: number, name: string): tf.SymbolicTensor {
  return tf.layers.rescaling({ scale, offset, name }).apply(input) as tf.SymbolicTensor;
}

/**
 * A Dense layer without bias or training whose kernel weighs its inputs: `[n, Σ features] → [n, 1]`,
 * the inputs' weighted sum (e.g. a mean when the weights are 1/d).
 */
function weightedSumLayer(input: tf.SymbolicTensor, weights: Float32Array, name: string): tf.SymbolicTensor {
  const kernel = tf.tensor2d(weights, [weights.length, 1]);
  try {
    return tf.layers.dense({ units: 1, useBias: false, trainable: false, name, weights: [kernel] }).apply(input) as tf.SymbolicTensor;
  } finally {
    kernel.dispose();
  }
}

/** The logit of the probabilities' clipping bound 1 − 1e-7 (`perSampleBinaryCrossEntropy`'s default epsilon). */
const BINARY_CROSS_ENTROPY_LOGIT_BOUND = Math.log((1 - 1e-7) / 1e-7);

/**
 * Standard layers computing the per-sample reconstruction error of flattened targets `[n, d]`
 * (images in [0, 1]) and their reconstructions `[n, d]`, as the autoencoders' `reconstructionErrors`
 * does; out: `[n, 1]`.
 *
 * - `'mse'`: mean over the d values of (x − x̂)²: a Rescaling by −1, an Add, a Multiply of the
 *   difference with itself, and a Dense whose kernel is 1/d.
 * - `'binaryCrossEntropyFromLogits'`: `reconstruction` holds the logits z of a sigmoid output; the
 *   error is the mean of −[x log σ(z) + (1 − x) log(1 − σ(z))] with σ(z) clipped to
 *   [1e-7, 1 − 1e-7] as the library's loss does, i.e. z clipped to ±logit(1 − 1e-7) (ReLUs, exact
 *   inside the bounds), written with softplus: x · softplus(−z) + softplus(z) − x · softplus(z).
 */
export function reconstructionErrorLayers(target: tf.SymbolicTensor, reconstruction: tf.SymbolicTensor, loss: 'mse' | 'binaryCrossEntropyFromLogits', name: string): tf.SymbolicTensor {
  const features = target.shape[1] as number;
  if (reconstruction.shape[1] !== features) throw new Error(`reconstructionErrorLayers: the target has ${features} values per sample, the reconstruction ${String(reconstruction.shape[1])}.`);
  if (loss === 'mse') {
    const negated = affineLayer(reconstruction, -1, 0, `${name}_negated`);
    const difference = tf.layers.add({ name: `${name}_difference` }).apply([target, negated]) as tf.SymbolicTensor;
    const squared = tf.layers.multiply({ name: `${name}_squared` }).apply([difference, difference]) as tf.SymbolicTensor;
    return weightedSumLayer(squared, new Float32Array(features).fill(1 / features), `${name}_mean`);
  }
  const bound = BINARY_CROSS_ENTROPY_LOGIT_BOUND;
  // clip(z, −b, b) = z − relu(z − b) + relu(−z − b): both ReLUs are 0 inside the bounds, so z passes unchanged.
  const above = tf.layers.reLU({ name: `${name}_above` }).apply(affineLayer(reconstruction, 1, -bound, `${name}_minus_bound`)) as tf.SymbolicTensor;
  const below = tf.layers.reLU({ name: `${name}_below` }).apply(affineLayer(reconstruction, -1, -bound, `${name}_negated_minus_bound`)) as tf.SymbolicTensor;
  const logits = tf.layers.add({ name: `${name}_clipped` }).apply([reconstruction, affineLayer(above, -1, 0, `${name}_above_negated`), below]) as tf.SymbolicTensor;
  const softplusOfNegated = tf.layers.activation({ activation: 'softplus', name: `${name}_softplus_negated` }).apply(affineLayer(logits, -1, 0, `${name}_logits_negated`)) as tf.SymbolicTensor;
  const softplus = tf.layers.activation({ activation: 'softplus', name: `${name}_softplus` }).apply(logits) as tf.SymbolicTensor;
  const targetTimesNegated = tf.layers.multiply({ name: `${name}_target_softplus_negated` }).apply([target, softplusOfNegated]) as tf.SymbolicTensor;
  const targetTimesSoftplus = tf.layers.multiply({ name: `${name}_target_softplus` }).apply([target, softplus]) as tf.SymbolicTensor;
  const terms = tf.layers.concatenate({ name: `${name}_terms` }).apply([targetTimesNegated, softplus, targetTimesSoftplus]) as tf.SymbolicTensor;
  const weights = new Float32Array(3 * features).fill(1 / features);
  weights.fill(-1 / features, 2 * features);
  return weightedSumLayer(terms, weights, `${name}_mean`);
}
