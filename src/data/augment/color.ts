/**
 * Colour augmentations on batches of images (NHWC, values in [0, 1]), with per-image random
 * parameters drawn from a seed: brightness, contrast, saturation and hue jitter (torchvision's
 * `ColorJitter` semantics) and random grayscale. Batched: one set of tensor ops per batch, every
 * image with its own factors.
 *
 * Single-channel (grayscale) images have no colour: saturation, hue and grayscale are no-ops on
 * them (the input is returned as a copy); brightness and contrast apply as usual.
 */
import * as tf from '@tensorflow/tfjs';

import { seededRandom } from '../../core/random.js';
import type { Random } from '../../core/random.js';
import { checkImageTensor, checkNumberArray, checkObject } from '../checks.js';

/** ITU-R 601-2 luma weights of R, G, B (those of torchvision and PIL's `convert('L')`). */
export const LUMA_WEIGHTS: readonly [number, number, number] = [0.2989, 0.587, 0.114];

function checkImages(images: tf.Tensor, context: string): [number, number, number, number] {
  return checkImageTensor(images, context);
}

function checkColour(images: tf.Tensor, context: string): number {
  const channels = checkImages(images, context)[3];
  if (channels !== 1 && channels !== 3) throw new Error(`${context}: images must have 1 (grayscale) or 3 (RGB) channels, got ${channels}.`);
  return channels;
}

function perImage(values: ArrayLike<number>, n: number, context: string): tf.Tensor4D {
  checkNumberArray(values, 'factors', context);
  if (values.length !== n) throw new Error(`${context}: ${values.length} factors for ${n} images.`);
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) throw new Error(`${context}: factor ${i} is ${values[i]}, not a finite number.`);
  }
  return tf.tensor4d(Float32Array.from(values), [n, 1, 1, 1]);
}

/**
 * Colour planes of a batch: [n, h, w] each (one for grayscale, R, G, B for colour). The colour
 * operations work on planes because slicing and concatenating the last (channel) axis of NHWC
 * tensors is slow on the wasm backend (hundreds of ms for a batch of 1024 32x32 images), while
 * one transpose each way and whole-plane element-wise ops are cheap.
 */
type Planes = tf.Tensor3D[];

function toPlanes(images: tf.Tensor4D): Planes {
  const [n, h, w, c] = images.shape;
  if (c === 1) return [tf.reshape(images, [n, h, w]) as tf.Tensor3D];
  return tf.unstack(tf.transpose(images, [3, 0, 1, 2])) as tf.Tensor3D[];
}

function fromPlanes(planes: Planes): tf.Tensor4D {
  if (planes.length === 1) return tf.expandDims(planes[0], 3) as tf.Tensor4D;
  return tf.transpose(tf.stack(planes), [1, 2, 3, 0]) as tf.Tensor4D;
}

/** Luma plane of colour planes (the plane itself for grayscale). */
function lumaOf(planes: Planes): tf.Tensor3D {
  if (planes.length === 1) return planes[0];
  return tf.addN(planes.map((p, c) => tf.mul(p, LUMA_WEIGHTS[c]))) as tf.Tensor3D;
}

function perImageFactor(values: ArrayLike<number>, n: number, context: string): tf.Tensor3D {
  return tf.reshape(perImage(values, n, context), [n, 1, 1]) as tf.Tensor3D;
}

const clip01 = (x: tf.Tensor): tf.Tensor3D => tf.clipByValue(x, 0, 1) as tf.Tensor3D;

function brightnessPlanes(planes: Planes, f: tf.Tensor3D): Planes {
  return planes.map((p) => clip01(tf.mul(p, f)));
}

function contrastPlanes(planes: Planes, f: tf.Tensor3D): Planes {
  const mean = tf.mean(lumaOf(planes), [1, 2], true);
  return planes.map((p) => clip01(tf.add(mean, tf.mul(f, tf.sub(p, mean)))));
}

function saturationPlanes(planes: Planes, f: tf.Tensor3D): Planes {
  if (planes.length === 1) return planes;
  const gray = lumaOf(planes);
  return planes.map((p) => clip01(tf.add(gray, tf.mul(f, tf.sub(p, gray)))));
}

function huePlanes(planes: Planes, shift: tf.Tensor3D): Planes {
  if (planes.length === 1) return planes;
  const [r, g, b] = planes.map(clip01);
  const maxc = tf.maximum(tf.maximum(r, g), b);
  const minc = tf.minimum(tf.minimum(r, g), b);
  const range = tf.sub(maxc, minc);
  const grey = tf.lessEqual(range, 0);
  const ones = tf.onesLike(maxc);
  const saturation = tf.div(range, tf.where(grey, ones, maxc));
  const divisor = tf.where(grey, ones, range);
  const rc = tf.div(tf.sub(maxc, r), divisor);
  const gc = tf.div(tf.sub(maxc, g), divisor);
  const bc = tf.div(tf.sub(maxc, b), divisor);
  const isR = tf.equal(maxc, r);
  const isG = tf.logicalAnd(tf.equal(maxc, g), tf.logicalNot(isR));
  const isB = tf.logicalNot(tf.logicalOr(isR, isG));
  const zeros = tf.zerosLike(maxc);
  const sector = tf.addN([
    tf.where(isR, tf.sub(bc, gc), zeros),
    tf.where(isG, tf.add(2, tf.sub(rc, bc)), zeros),
    tf.where(isB, tf.add(4, tf.sub(gc, rc)), zeros),
  ]);
  // Hue in turns, shifted, wrapped into [0, 1).
  let hue = tf.add(tf.div(sector, 6), tf.add(1, shift));
  hue = tf.sub(hue, tf.floor(hue));
  const h6 = tf.mul(hue, 6);
  const index = tf.minimum(tf.floor(h6), 5);
  const fraction = tf.sub(h6, index);
  const v = maxc;
  const p = clip01(tf.mul(v, tf.sub(1, saturation)));
  const q = clip01(tf.mul(v, tf.sub(1, tf.mul(saturation, fraction))));
  const t = clip01(tf.mul(v, tf.sub(1, tf.mul(saturation, tf.sub(1, fraction)))));
  const masks = Array.from({ length: 6 }, (_, k) => tf.cast(tf.equal(index, k), 'float32'));
  const pick = (choices: tf.Tensor[]) => tf.addN(choices.map((c, k) => tf.mul(masks[k], c))) as tf.Tensor3D;
  return [pick([v, q, p, p, t, v]), pick([t, v, v, q, p, p]), pick([p, p, t, v, v, q])];
}

/**
 * Luma of RGB images, [n, h, w, 1]: 0.2989·R + 0.587·G + 0.114·B. Single-channel images are
 * returned as a copy.
 */
export function rgbToGrayscale(images: tf.Tensor4D): tf.Tensor4D {
  const channels = checkColour(images, 'rgbToGrayscale');
  if (channels === 1) return tf.clone(images);
  return tf.tidy(() => fromPlanes([lumaOf(toPlanes(images))]));
}

/** Multiplies every image by its own factor (0 gives black, 1 the image), clipped to [0, 1]. */
export function adjustBrightness(images: tf.Tensor4D, factors: ArrayLike<number>): tf.Tensor4D {
  const n = checkImages(images, 'adjustBrightness')[0];
  return tf.tidy(() => tf.clipByValue(tf.mul(images, perImage(factors, n, 'adjustBrightness')), 0, 1) as tf.Tensor4D);
}

/**
 * Blends every image with the mean of its luma (its mean value, for a single channel):
 * m + f·(x − m), clipped to [0, 1]. 0 gives a uniform grey image, 1 the image.
 */
export function adjustContrast(images: tf.Tensor4D, factors: ArrayLike<number>): tf.Tensor4D {
  checkColour(images, 'adjustContrast');
  return tf.tidy(() => fromPlanes(contrastPlanes(toPlanes(images), perImageFactor(factors, images.shape[0], 'adjustContrast'))));
}

/**
 * Blends every RGB image with its luma: g + f·(x − g), clipped to [0, 1]. 0 gives grayscale, 1 the
 * image, above 1 more saturated colours. A no-op (copy) on single-channel images.
 */
export function adjustSaturation(images: tf.Tensor4D, factors: ArrayLike<number>): tf.Tensor4D {
  checkColour(images, 'adjustSaturation');
  return tf.tidy(() => {
    const f = perImageFactor(factors, images.shape[0], 'adjustSaturation');
    return images.shape[3] === 1 ? tf.clone(images) : fromPlanes(saturationPlanes(toPlanes(images), f));
  });
}

/**
 * Rotates the hue of every RGB image by its own shift, in turns (−0.5…0.5; ±0.5 is the opposite
 * colour): RGB → HSV, h ← (h + shift) mod 1, HSV → RGB, as torchvision's `adjust_hue`. A no-op
 * (copy) on single-channel images.
 */
export function adjustHue(images: tf.Tensor4D, shifts: ArrayLike<number>): tf.Tensor4D {
  checkColour(images, 'adjustHue');
  checkNumberArray(shifts, 'shifts', 'adjustHue');
  for (let i = 0; i < shifts.length; i++) {
    if (!(Math.abs(shifts[i]) <= 0.5)) throw new Error(`adjustHue: shift ${i} is ${shifts[i]}, must be in [−0.5, 0.5].`);
  }
  return tf.tidy(() => {
    const shift = perImageFactor(shifts, images.shape[0], 'adjustHue');
    return images.shape[3] === 1 ? tf.clone(images) : fromPlanes(huePlanes(toPlanes(images), shift));
  });
}

/** Options of {@link colorJitter}: torchvision `ColorJitter` strengths plus an apply probability. */
export interface ColorJitterOptions {
  /** Brightness factor drawn uniformly from [max(0, 1 − b), 1 + b]. Default 0 (unchanged). */
  brightness?: number;
  /** Contrast factor drawn uniformly from [max(0, 1 − c), 1 + c]. Default 0 (unchanged). */
  contrast?: number;
  /** Saturation factor drawn uniformly from [max(0, 1 − s), 1 + s]. Default 0 (unchanged). */
  saturation?: number;
  /** Hue shift drawn uniformly from [−h, h] turns, h ≤ 0.5. Default 0 (unchanged). */
  hue?: number;
  /** Probability that an image is jittered at all (torchvision's `RandomApply`). Default 1. */
  probability?: number;
}

/** Checks {@link ColorJitterOptions}; throws a clear error. */
export function validateColorJitter(options: ColorJitterOptions, context = 'colorJitter'): void {
  checkObject(options, 'options', context);
  const { brightness = 0, contrast = 0, saturation = 0, hue = 0, probability = 1 } = options;
  for (const [name, value] of [['brightness', brightness], ['contrast', contrast], ['saturation', saturation]] as const) {
    if (!(value >= 0) || !Number.isFinite(value)) throw new Error(`${context}: ${name} must be a finite number ≥ 0, got ${value}.`);
  }
  if (!(hue >= 0 && hue <= 0.5)) throw new Error(`${context}: hue must be in [0, 0.5] turns, got ${hue}.`);
  if (!(probability >= 0 && probability <= 1)) throw new Error(`${context}: probability must be in [0, 1], got ${probability}.`);
}

function factorsAround(random: Random, n: number, strength: number): Float32Array {
  const low = Math.max(0, 1 - strength);
  const high = 1 + strength;
  return Float32Array.from({ length: n }, () => low + (high - low) * random.next());
}

/** Planes of the chosen images (mask 1) from `changed`, of the others from `original`. */
function blendPlanes(original: Planes, changed: Planes, chosen: Float32Array): Planes {
  const mask = tf.tensor3d(chosen, [chosen.length, 1, 1]);
  const keep = tf.sub(1, mask);
  // Masks of exact 0s and 1s: each value is exactly its source's.
  return original.map((p, c) => tf.add(tf.mul(mask, changed[c]), tf.mul(keep, p)) as tf.Tensor3D);
}

/**
 * Random colour jitter (torchvision's `RandomApply([ColorJitter(b, c, s, h)], p)`): each image is
 * chosen with `probability`; a chosen image gets its own brightness, contrast, saturation and hue
 * factors (see {@link ColorJitterOptions}), applied in a random order drawn once per call (per
 * batch; torchvision draws one per image). Images not chosen are returned unchanged. Seeded: the
 * same seed and batch size give the same factors, order and choices. On single-channel images
 * only brightness and contrast act.
 *
 * @throws on a bad option (see {@link validateColorJitter}) or images that are not 4-D with 1 or 3 channels.
 */
export function colorJitter(images: tf.Tensor4D, options: ColorJitterOptions, seed: number): tf.Tensor4D {
  validateColorJitter(options);
  const channels = checkColour(images, 'colorJitter');
  const { brightness = 0, contrast = 0, saturation = 0, hue = 0, probability = 1 } = options;
  const n = images.shape[0];
  const random = seededRandom(seed, 'colorJitter');
  const chosen = Float32Array.from({ length: n }, () => (random.next() < probability ? 1 : 0));
  const factors = {
    brightness: factorsAround(random, n, brightness),
    contrast: factorsAround(random, n, contrast),
    saturation: factorsAround(random, n, saturation),
    hue: Float32Array.from({ length: n }, () => (2 * random.next() - 1) * hue),
  };
  const order = random.permutation(4);
  const active = [brightness > 0, contrast > 0, saturation > 0 && channels === 3, hue > 0 && channels === 3];
  if (!active.some(Boolean) || !chosen.some((c) => c > 0)) return tf.clone(images);
  return tf.tidy(() => {
    const planes = toPlanes(images);
    let out = planes;
    for (const k of order) {
      if (!active[k]) continue;
      if (k === 0) out = brightnessPlanes(out, perImageFactor(factors.brightness, n, 'colorJitter'));
      else if (k === 1) out = contrastPlanes(out, perImageFactor(factors.contrast, n, 'colorJitter'));
      else if (k === 2) out = saturationPlanes(out, perImageFactor(factors.saturation, n, 'colorJitter'));
      else out = huePlanes(out, perImageFactor(factors.hue, n, 'colorJitter'));
    }
    return fromPlanes(chosen.every((c) => c > 0) ? out : blendPlanes(planes, out, chosen));
  });
}

/**
 * Converts each RGB image to grayscale (its luma in all three channels, as torchvision's
 * `RandomGrayscale`) with probability `probability`; the others are unchanged. Seeded. A no-op
 * (copy) on single-channel images.
 *
 * @throws when `probability` is not in [0, 1] or the images are not 4-D with 1 or 3 channels.
 */
export function randomGrayscale(images: tf.Tensor4D, probability: number, seed: number): tf.Tensor4D {
  const channels = checkColour(images, 'randomGrayscale');
  if (typeof probability !== 'number' || !(probability >= 0 && probability <= 1)) throw new Error(`randomGrayscale: probability must be in [0, 1], got ${probability}.`);
  if (channels === 1 || probability === 0) return tf.clone(images);
  const n = images.shape[0];
  const random = seededRandom(seed, 'randomGrayscale');
  const chosen = Float32Array.from({ length: n }, () => (random.next() < probability ? 1 : 0));
  if (!chosen.some((c) => c > 0)) return tf.clone(images);
  return tf.tidy(() => {
    const planes = toPlanes(images);
    const gray = lumaOf(planes);
    return fromPlanes(blendPlanes(planes, [gray, gray, gray], chosen));
  });
}
