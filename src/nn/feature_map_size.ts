/**
 * Feature-map sizes of the convolutional backbones, computed from the input shape when a model is
 * built, before any layer exists: a backbone that would shrink its maps to nothing (0x0) gets a
 * clear error naming the layer, the input size and what to change, instead of a TF.js crash (on
 * the wasm backend a 2x2 'valid' pooling of a 1x1 map corrupts memory) or a silent constant loss.
 */

/** Where a size check runs: the model's context (for the message) and its input shape. */
export interface FeatureMapContext {
  /** Prefix of the error message, e.g. `'IIC'` or `'vgg'`. */
  context: string;
  /** The model's input shape [height, width, channels]. */
  inputShape: readonly number[];
  /** What the user can change, e.g. "use at most 4 'M' entries in the backbone". */
  advice: string;
}

/**
 * Checks a model's input shape: [height, width, channels] of positive integers.
 *
 * @throws an error naming `context` otherwise.
 */
export function checkInputShape(inputShape: unknown, context: string): [number, number, number] {
  if (!Array.isArray(inputShape) || inputShape.length !== 3 || inputShape.some((s) => !Number.isInteger(s) || s < 1)) {
    throw new Error(`${context}: inputShape must be [height, width, channels] of positive integers, got ${JSON.stringify(inputShape)}.`);
  }
  return [inputShape[0], inputShape[1], inputShape[2]];
}

/**
 * The [height, width] after a layer that halves a feature map: a 2x2 stride-2 'valid' pooling
 * (`rounding: 'floor'`) or a stride-2 'same' convolution (`'ceil'`).
 *
 * @throws when the result would be empty (a side of 0), naming the layer, the map it receives,
 *   the model's input size and `advice`.
 */
export function halveFeatureMap(map: readonly [number, number], layer: string, rounding: 'floor' | 'ceil', where: FeatureMapContext): [number, number] {
  const next: [number, number] = rounding === 'floor' ? [Math.floor(map[0] / 2), Math.floor(map[1] / 2)] : [Math.ceil(map[0] / 2), Math.ceil(map[1] / 2)];
  if (next[0] < 1 || next[1] < 1) {
    const [h, w, c] = where.inputShape;
    throw new Error(
      `${where.context}: layer '${layer}' receives a ${map[0]}x${map[1]} feature map (from ${h}x${w}x${c} inputs) and would shrink it to ${next[0]}x${next[1]}; ` +
        `${where.advice}.`,
    );
  }
  return next;
}

/**
 * How many 2x2 'valid' poolings a map of `height` x `width` survives (each side at least 1 after
 * every one): ⌊log₂ min(height, width)⌋.
 */
export function maxHalvings(height: number, width: number): number {
  return Math.floor(Math.log2(Math.max(1, Math.min(height, width))));
}

/** `count` and a noun, singular for 1: `plural(1, 'stage')` is "1 stage", `plural(3, 'stage')` "3 stages". */
export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : pluralForm}`;
}
