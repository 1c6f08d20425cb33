import * as tf from '@tensorflow/tfjs';

import { seededRandom } from '../../core/random.js';
import { colorJitter, randomGrayscale, validateColorJitter } from './color.js';
import type { ColorJitterOptions } from './color.js';
import { randomHorizontalFlip, randomResizedCrop, randomRotation } from './geometric.js';
import { checkObject } from '../checks.js';
import { readOptions } from '../options.js';

/**
 * Options of {@link relationalAugment}: the random views of self-supervised relational reasoning
 * (Patacchiola & Storkey 2020). Every field left out takes the value of the chosen preset.
 */
export interface RelationalAugmentOptions {
  /** Side(s) of the views [height, width]. Default: the input images' size. */
  outputSize?: [number, number];
  /** Area fraction range of the random resized crop. Preset `'mnist'`: [0.3, 1]; `'cifar'`: [0.08, 1] (the paper). */
  cropScale?: [number, number];
  /** Aspect-ratio range (log-uniform) of the random resized crop. Both presets: [3/4, 4/3]. */
  cropRatio?: [number, number];
  /** Largest rotation either way, degrees (0: none). Preset `'mnist'`: 20; `'cifar'`: 0. */
  maxRotationDegrees?: number;
  /** Probability of a left–right flip. Preset `'mnist'`: 0 (digits are not symmetric); `'cifar'`: 0.5. */
  horizontalFlip?: number;
  /**
   * Colour jitter (see {@link ColorJitterOptions}); `null` for none. Preset `'mnist'`: none;
   * `'cifar'`: brightness, contrast, saturation 0.8, hue 0.2, applied with probability 0.8.
   */
  colorJitter?: ColorJitterOptions | null;
  /** Probability of turning a view grayscale. Preset `'mnist'`: 0; `'cifar'`: 0.2. */
  grayscale?: number;
}

/** Named augmentation settings: `'mnist'` for digits, `'cifar'` the paper's CIFAR-10 / STL-10 pipeline. */
export type RelationalAugmentPreset = 'mnist' | 'cifar';

/** A resolved augmentation: every field set (`outputSize` stays optional: the input's size). */
export type ResolvedRelationalAugment = Required<Omit<RelationalAugmentOptions, 'outputSize' | 'colorJitter'>> & {
  outputSize?: [number, number];
  colorJitter: ColorJitterOptions | null;
};

const PRESETS: Record<RelationalAugmentPreset, ResolvedRelationalAugment> = {
  mnist: { cropScale: [0.3, 1], cropRatio: [3 / 4, 4 / 3], maxRotationDegrees: 20, horizontalFlip: 0, colorJitter: null, grayscale: 0 },
  cifar: {
    cropScale: [0.08, 1],
    cropRatio: [3 / 4, 4 / 3],
    maxRotationDegrees: 0,
    horizontalFlip: 0.5,
    colorJitter: { brightness: 0.8, contrast: 0.8, saturation: 0.8, hue: 0.2, probability: 0.8 },
    grayscale: 0.2,
  },
};

/**
 * The settings of a preset, with `overrides` on top, checked.
 *
 * @throws on an unknown preset or an invalid option.
 */
export function resolveRelationalAugment(preset: RelationalAugmentPreset, overrides: RelationalAugmentOptions = {}): ResolvedRelationalAugment {
  overrides = readOptions(overrides, 'relationalAugment');
  const base = PRESETS[preset];
  if (base === undefined) throw new Error(`relationalAugment: unknown preset '${String(preset)}'; choose 'mnist' or 'cifar'.`);
  const defined = Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined)) as RelationalAugmentOptions;
  const resolved: ResolvedRelationalAugment = { ...base, ...defined, colorJitter: defined.colorJitter === undefined ? base.colorJitter : defined.colorJitter };
  const { cropScale, cropRatio, maxRotationDegrees, horizontalFlip, grayscale, outputSize } = resolved;
  if (!Array.isArray(cropScale) || cropScale.length !== 2 || !(cropScale[0] > 0 && cropScale[0] <= cropScale[1] && cropScale[1] <= 1)) {
    throw new Error(`relationalAugment: cropScale must be [min, max] with 0 < min ≤ max ≤ 1, got ${JSON.stringify(cropScale)}.`);
  }
  if (!Array.isArray(cropRatio) || cropRatio.length !== 2 || !(cropRatio[0] > 0 && cropRatio[0] <= cropRatio[1] && Number.isFinite(cropRatio[1]))) {
    throw new Error(`relationalAugment: cropRatio must be [min, max] with 0 < min ≤ max, got ${JSON.stringify(cropRatio)}.`);
  }
  if (!(maxRotationDegrees >= 0 && maxRotationDegrees <= 180)) throw new Error(`relationalAugment: maxRotationDegrees must be in [0, 180], got ${maxRotationDegrees}.`);
  if (!(horizontalFlip >= 0 && horizontalFlip <= 1)) throw new Error(`relationalAugment: horizontalFlip must be a probability in [0, 1], got ${horizontalFlip}.`);
  if (!(grayscale >= 0 && grayscale <= 1)) throw new Error(`relationalAugment: grayscale must be a probability in [0, 1], got ${grayscale}.`);
  if (outputSize !== undefined && (!Array.isArray(outputSize) || outputSize.length !== 2 || outputSize.some((s) => !Number.isInteger(s) || s < 1))) {
    throw new Error(`relationalAugment: outputSize must be [height, width] of positive integers, got ${JSON.stringify(outputSize)}.`);
  }
  if (resolved.colorJitter !== null) validateColorJitter(resolved.colorJitter, 'relationalAugment: colorJitter');
  return resolved;
}

/** A seeded view function: a random augmentation of a batch [n, h, w, c] → [n, h′, w′, c]. */
export type ViewFunction = (images: tf.Tensor4D, seed: number) => tf.Tensor4D;

/**
 * The random view of relational reasoning: random resized crop (bilinear, back to the input size
 * or `outputSize`) → rotation → horizontal flip → colour jitter → random grayscale, each step
 * with its own seed derived from `seed`, every image with its own parameters. Steps whose
 * strength is 0 are skipped. Pure function of tensors, batched; the caller disposes the result.
 *
 * @param settings a preset name, or a preset's settings with overrides from {@link resolveRelationalAugment}.
 */
export function relationalAugment(settings: RelationalAugmentPreset | ResolvedRelationalAugment): ViewFunction {
  if (typeof settings !== 'string') {
    checkObject(settings, 'settings', 'relationalAugment');
    // Resolved settings are checked as overrides of the preset they were built from.
    resolveRelationalAugment('mnist', settings as RelationalAugmentOptions);
    for (const key of ['cropScale', 'horizontalFlip'] as const) {
      if (!(key in settings)) throw new Error(`relationalAugment: settings must be a preset ('mnist', 'cifar') or resolved settings (see resolveRelationalAugment), got an object without ${key}.`);
    }
  }
  const s = typeof settings === 'string' ? resolveRelationalAugment(settings) : settings;
  return (images, seed) =>
    tf.tidy(() => {
      const [, h, w] = images.shape;
      // One independent seed per step, drawn from the view's seed.
      const random = seededRandom(seed, 'relationalAugment');
      const seeds = Array.from({ length: 5 }, () => random.int(0x7fffffff));
      let out = randomResizedCrop(images, { outputSize: s.outputSize ?? [h, w], scale: s.cropScale, ratio: s.cropRatio, seed: seeds[0] });
      if (s.maxRotationDegrees > 0) out = randomRotation(out, s.maxRotationDegrees, seeds[1]);
      if (s.horizontalFlip > 0) out = randomHorizontalFlip(out, seeds[2], s.horizontalFlip);
      if (s.colorJitter !== null && (s.colorJitter.probability ?? 1) > 0) out = colorJitter(out, s.colorJitter, seeds[3]);
      if (s.grayscale > 0) out = randomGrayscale(out, s.grayscale, seeds[4]);
      return out;
    });
}
