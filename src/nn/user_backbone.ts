/**
 * A backbone the user brings: a `tf.LayersModel`, or a function that builds one for the input
 * shape the method feeds it. IIC, DeepCluster, MineEncoder and RelationalReasoning take one as
 * their `backbone` (MineEncoder: its encoder) instead of a named configuration.
 */
import * as tf from '@tensorflow/tfjs';

import { resolveVggConfig } from './vgg.js';
import type { VggConfig, VggConfigInput } from './vgg.js';

/** Builds a backbone for inputs of `inputShape` (`[height, width, channels]`, one image). */
export type BackboneBuilder = (inputShape: [number, number, number]) => tf.LayersModel;

/** A user's backbone: a model, or a function building one for the method's input shape. */
export type UserBackbone = tf.LayersModel | BackboneBuilder;

/**
 * What a method's saved configuration holds in place of a configuration when its backbone was the
 * user's: the model itself is saved with the method's other models and comes back with `load`.
 */
export const CUSTOM_BACKBONE = 'custom';

/** Whether an option value is a user's backbone (a `tf.LayersModel` or a function). */
export function isUserBackbone(value: unknown): value is UserBackbone {
  return value instanceof tf.LayersModel || typeof value === 'function';
}

/**
 * The configuration a method saves for its backbone option: {@link CUSTOM_BACKBONE} for a user's
 * model (or a configuration saved with one), else the checked VGG configuration.
 *
 * @throws naming `context` when the option is neither.
 */
export function resolveBackboneConfig(backbone: VggConfigInput | UserBackbone | typeof CUSTOM_BACKBONE, context: string): VggConfig | typeof CUSTOM_BACKBONE {
  if (isUserBackbone(backbone) || backbone === CUSTOM_BACKBONE) return CUSTOM_BACKBONE;
  return resolveVggConfig(backbone, context);
}

/** Describes a shape with `null` for the batch (or any free) dimension, e.g. `[null,24,24,1]`. */
function shapeText(shape: ReadonlyArray<number | null>): string {
  return `[${shape.map((d) => (d === null ? 'null' : String(d))).join(',')}]`;
}

/**
 * The user's backbone for inputs of `inputShape`, checked: one input taking images of that shape
 * (free height/width/channels are accepted), one output of rank 2 (`[batch, features]`), whose
 * feature count is returned.
 *
 * @param context the method and option, for errors (e.g. `'IIC: backbone'`).
 * @throws an error naming the problem and the fix: a builder that throws or returns no model, a
 *   model with several inputs or outputs, an input shape that differs, an output that is not a
 *   vector per image (end the model with `tf.layers.flatten()` or `globalAveragePooling2d`).
 */
export function buildUserBackbone(backbone: UserBackbone, inputShape: [number, number, number], context: string): { model: tf.LayersModel; features: number } {
  let model: unknown = backbone;
  if (!(backbone instanceof tf.LayersModel)) {
    try {
      model = backbone([...inputShape]);
    } catch (error) {
      throw new Error(`${context}: the function building the backbone threw for the input shape ${shapeText(inputShape)}: ${(error as Error).message}`);
    }
    if (!(model instanceof tf.LayersModel)) {
      throw new Error(`${context}: the function building the backbone must return a tf.LayersModel (e.g. tf.sequential or tf.model), got ${model === null ? 'null' : typeof model}.`);
    }
  }
  const layersModel = model as tf.LayersModel;
  if (layersModel.inputs.length !== 1 || layersModel.outputs.length !== 1) {
    throw new Error(`${context}: the backbone must have one input and one output, got ${layersModel.inputs.length} inputs and ${layersModel.outputs.length} outputs.`);
  }
  const input = layersModel.inputs[0].shape;
  const expected = [null, ...inputShape];
  if (input.length !== 4 || input.some((d, i) => i > 0 && d !== null && d !== expected[i])) {
    throw new Error(`${context}: the backbone takes inputs of shape ${shapeText(input)}, but this method feeds it images of ${shapeText(expected)}; build it with inputShape ${JSON.stringify(inputShape)} (or pass a function (inputShape) => model).`);
  }
  const output = layersModel.outputs[0].shape;
  const features = output[1];
  if (output.length !== 2 || typeof features !== 'number' || features < 1) {
    throw new Error(`${context}: the backbone must output one feature vector per image, [batch, features], got ${shapeText(output)}; end it with tf.layers.flatten() or tf.layers.globalAveragePooling2d().`);
  }
  return { model: layersModel, features };
}
