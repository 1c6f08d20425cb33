import * as tf from '@tensorflow/tfjs';

import { seededRandom } from '../../core/random.js';
import { checkImageTensor, checkNumber, checkNumberArray, describeArgument } from '../checks.js';
import { readOptions } from '../options.js';

function checkImages(images: tf.Tensor, context: string): [number, number, number, number] {
  return checkImageTensor(images, context);
}

/** A crop box in pixels: top-left corner and side lengths. */
export interface PixelBox {
  top: number;
  left: number;
  height: number;
  width: number;
}

/**
 * Crops each image to its own box and resizes it to `outputSize` (bilinear), in one batched op
 * (`tf.image.cropAndResize`). Boxes are in pixels; one per image.
 */
export function cropAndResizeBoxes(images: tf.Tensor4D, boxes: PixelBox[], outputSize: [number, number]): tf.Tensor4D {
  const [n, h, w] = checkImages(images, 'cropAndResizeBoxes');
  if (!Array.isArray(boxes)) throw new Error(`cropAndResizeBoxes: boxes must be an array of { top, left, height, width }, got ${describeArgument(boxes)}.`);
  boxes.forEach((box: unknown, i) => {
    if (box === null || typeof box !== 'object') throw new Error(`cropAndResizeBoxes: box ${i} must be { top, left, height, width }, got ${describeArgument(box)}.`);
  });
  if (!Array.isArray(outputSize) || outputSize.length !== 2 || outputSize.some((s) => !Number.isInteger(s) || s < 1)) {
    throw new Error(`cropAndResizeBoxes: outputSize must be [height, width] of positive integers, got ${describeArgument(outputSize)}.`);
  }
  if (boxes.length !== n) throw new Error(`cropAndResizeBoxes: ${boxes.length} boxes for ${n} images.`);
  const normalised = new Float32Array(4 * n);
  boxes.forEach((b, i) => {
    if (b.height < 1 || b.width < 1 || b.top < 0 || b.left < 0 || b.top + b.height > h || b.left + b.width > w) {
      throw new Error(`cropAndResizeBoxes: box ${i} ${JSON.stringify(b)} does not fit in ${h}x${w} images.`);
    }
    // cropAndResize maps normalised coordinate c to pixel c·(side − 1).
    normalised.set([b.top / Math.max(1, h - 1), b.left / Math.max(1, w - 1), (b.top + b.height - 1) / Math.max(1, h - 1), (b.left + b.width - 1) / Math.max(1, w - 1)], 4 * i);
  });
  return tf.tidy(() => {
    const boxTensor = tf.tensor2d(normalised, [n, 4]);
    const indices = tf.range(0, n, 1, 'int32') as tf.Tensor1D;
    return tf.image.cropAndResize(images, boxTensor, indices, outputSize, 'bilinear');
  });
}

/** The centre `crop` x `crop` square of every image, resized to `outputSize` x `outputSize`. */
export function centerCrop(images: tf.Tensor4D, crop: number, outputSize: number = crop): tf.Tensor4D {
  const [n, h, w] = checkImages(images, 'centerCrop');
  if (crop > h || crop > w || crop < 1) throw new Error(`centerCrop: crop ${crop} does not fit in ${h}x${w} images.`);
  const top = Math.floor((h - crop) / 2);
  const left = Math.floor((w - crop) / 2);
  return cropAndResizeBoxes(images, Array.from({ length: n }, () => ({ top, left, height: crop, width: crop })), [outputSize, outputSize]);
}

/**
 * A random square crop per image, its side drawn from `sizes` and its position uniformly, resized
 * to `outputSize` x `outputSize`. Seeded.
 */
export function randomCrop(images: tf.Tensor4D, sizes: readonly number[], outputSize: number, seed: number): tf.Tensor4D {
  const [n, h, w] = checkImages(images, 'randomCrop');
  checkNumberArray(sizes, 'sizes', 'randomCrop');
  checkNumber(outputSize, 'outputSize', 'randomCrop', { integer: true, min: 1 });
  if (sizes.length === 0 || sizes.some((s) => s < 1 || s > h || s > w)) throw new Error(`randomCrop: crop sizes ${JSON.stringify(sizes)} must be in 1..${Math.min(h, w)}.`);
  const random = seededRandom(seed, 'randomCrop');
  const boxes = Array.from({ length: n }, () => {
    const side = sizes[random.int(sizes.length)];
    return { top: random.int(h - side + 1), left: random.int(w - side + 1), height: side, width: side };
  });
  return cropAndResizeBoxes(images, boxes, [outputSize, outputSize]);
}

/**
 * Random resized crop (Inception / SimCLR style): per image an area fraction in `scale` and an
 * aspect ratio in `ratio` (log-uniform) choose a box, resized to `outputSize`. Seeded.
 */
export function randomResizedCrop(
  images: tf.Tensor4D,
  options: { outputSize?: [number, number]; scale?: [number, number]; ratio?: [number, number]; seed?: number } = {},
): tf.Tensor4D {
  options = readOptions(options, 'randomResizedCrop', { outputSize: 'list', scale: 'list', ratio: 'list', seed: 'number' });
  const [n, h, w] = checkImages(images, 'randomResizedCrop');
  const { outputSize = [h, w], scale = [0.2, 1], ratio = [3 / 4, 4 / 3], seed = 0 } = options;
  if (!(scale[0] > 0 && scale[0] <= scale[1] && scale[1] <= 1)) throw new Error(`randomResizedCrop: scale must satisfy 0 < min ≤ max ≤ 1, got [${scale}].`);
  const random = seededRandom(seed, 'randomResizedCrop');
  const boxes = Array.from({ length: n }, () => {
    for (let attempt = 0; attempt < 10; attempt++) {
      const area = h * w * (scale[0] + (scale[1] - scale[0]) * random.next());
      const aspect = Math.exp(Math.log(ratio[0]) + (Math.log(ratio[1]) - Math.log(ratio[0])) * random.next());
      const width = Math.round(Math.sqrt(area * aspect));
      const height = Math.round(Math.sqrt(area / aspect));
      if (width >= 1 && height >= 1 && width <= w && height <= h) {
        return { top: random.int(h - height + 1), left: random.int(w - width + 1), height, width };
      }
    }
    return { top: 0, left: 0, height: h, width: w };
  });
  return cropAndResizeBoxes(images, boxes, outputSize);
}

/**
 * Rotates each image about its centre by its own angle (degrees, counter-clockwise), bilinear,
 * filling with `fill`. One batched `tf.image.transform`.
 */
export function rotate(images: tf.Tensor4D, degrees: ArrayLike<number>, fill = 0): tf.Tensor4D {
  const [n, h, w] = checkImages(images, 'rotate');
  checkNumberArray(degrees, 'degrees', 'rotate');
  checkNumber(fill, 'fill', 'rotate');
  if (degrees.length !== n) throw new Error(`rotate: ${degrees.length} angles for ${n} images.`);
  const cx = (w - 1) / 2;
  const cy = (h - 1) / 2;
  const transforms = new Float32Array(8 * n);
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(degrees[i])) throw new Error(`rotate: angle ${i} is ${degrees[i]}, not a finite number of degrees.`);
    const theta = (degrees[i] * Math.PI) / 180;
    const cos = Math.cos(theta);
    const sin = Math.sin(theta);
    // Output pixel (x, y) samples the input at R(θ)·(x − c) + c.
    transforms.set([cos, -sin, cx - cos * cx + sin * cy, sin, cos, cy - sin * cx - cos * cy, 0, 0], 8 * i);
  }
  return tf.tidy(() => tf.image.transform(images, tf.tensor2d(transforms, [n, 8]), 'bilinear', 'constant', fill) as tf.Tensor4D);
}

/** Rotates each image by an angle drawn uniformly from [−maxDegrees, maxDegrees]. Seeded. */
export function randomRotation(images: tf.Tensor4D, maxDegrees: number, seed: number): tf.Tensor4D {
  const n = checkImages(images, 'randomRotation')[0];
  checkNumber(maxDegrees, 'maxDegrees', 'randomRotation', { min: 0 });
  const random = seededRandom(seed, 'randomRotation');
  return rotate(images, Float32Array.from({ length: n }, () => (2 * random.next() - 1) * maxDegrees));
}

/** Mirrors each image left–right with probability `probability`. Seeded. */
export function randomHorizontalFlip(images: tf.Tensor4D, seed: number, probability = 0.5): tf.Tensor4D {
  const n = checkImages(images, 'randomHorizontalFlip')[0];
  const random = seededRandom(seed, 'randomHorizontalFlip');
  const flip = Float32Array.from({ length: n }, () => (random.next() < probability ? 1 : 0));
  if (!flip.some((f) => f > 0)) return tf.clone(images);
  return tf.tidy(() => {
    const mask = tf.tensor4d(flip, [n, 1, 1, 1]);
    // flipLeftRight: a dedicated kernel, several times faster than reverse on wasm.
    return tf.add(tf.mul(tf.image.flipLeftRight(images), mask), tf.mul(images, tf.sub(1, mask))) as tf.Tensor4D;
  });
}
