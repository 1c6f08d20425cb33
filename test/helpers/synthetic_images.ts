import type { ImageDataset } from '../../src/data/dataset.js';
import { kmeans } from '../../src/cluster/kmeans.js';
import { createRandom } from '../../src/data/random.js';
import { clusterAccuracy } from '../../src/metrics/cluster_accuracy.js';
import { linearProbe } from '../../src/probes/linear_probe.js';

/** Options of {@link syntheticImages}. */
export interface SyntheticImageOptions {
  /** Side of the square one-channel images. Default 16. */
  side?: number;
  /** Number of classes (patterns). Default 3. */
  classes?: number;
  /** Standard deviation of the Gaussian pixel noise added to every pixel. Default 0.2. */
  noise?: number;
  /** Each image's pattern is shifted by a whole number of pixels drawn from −jitter..jitter on each axis. Default 1. */
  jitter?: number;
  /** Seed of the noise, the shifts and the class order. Default 0. */
  seed?: number;
}

/** A labelled synthetic image set (labels always present). */
export type LabelledImages = ImageDataset & { labels: Int32Array };

/**
 * Small labelled images with a known structure, for checking that a method learns: class c is a
 * bright Gaussian spot (radius side/8) on a dim background, centred on a circle of radius side/4
 * around the image centre at angle 2πc / classes; every image shifts its spot by a few pixels
 * (`jitter`) and adds Gaussian pixel noise, then is clipped to [0, 1]. The class is what crops,
 * small rotations and noise leave unchanged, so a method that learns invariance to its views
 * finds it. How much of it a network keeps at random initialisation depends on its width and on
 * the noise: each learning check reports that baseline beside what training reached.
 *
 * Classes follow a seeded shuffle of a balanced sequence (each appears ⌊size/classes⌋ or one
 * more times). Deterministic for a seed.
 */
export function syntheticImages(size: number, options: SyntheticImageOptions = {}): LabelledImages {
  const { side = 16, classes = 3, noise = 0.2, jitter = 1, seed = 0 } = options;
  if (!Number.isInteger(size) || size < 1) throw new Error(`syntheticImages: size must be a positive integer, got ${size}.`);
  if (!Number.isInteger(classes) || classes < 2) throw new Error(`syntheticImages: classes must be an integer ≥ 2, got ${classes}.`);
  const random = createRandom(seed);
  const labels = random.shuffle(Int32Array.from({ length: size }, (_, i) => i % classes));
  const pixels = side * side;
  const images = new Float32Array(size * pixels);
  const radius = side / 8;
  const background = 0.15;
  const amplitude = 0.75;
  for (let i = 0; i < size; i++) {
    const angle = (2 * Math.PI * labels[i]) / classes;
    const centreX = (side - 1) / 2 + (side / 4) * Math.cos(angle) + (random.int(2 * jitter + 1) - jitter);
    const centreY = (side - 1) / 2 + (side / 4) * Math.sin(angle) + (random.int(2 * jitter + 1) - jitter);
    for (let y = 0; y < side; y++) {
      for (let x = 0; x < side; x++) {
        const distance2 = (x - centreX) ** 2 + (y - centreY) ** 2;
        const value = background + amplitude * Math.exp(-distance2 / (2 * radius * radius)) + noise * random.normal();
        images[i * pixels + y * side + x] = Math.min(1, Math.max(0, value));
      }
    }
  }
  return { images, labels, shape: [side, side, 1], size, name: 'synthetic-spots' };
}

/** Codes of a method's encoder, as `UnsupervisedMethod.encode` returns them. */
export interface Encoder {
  encode(dataset: ImageDataset): Promise<{ data: Float32Array; rows: number; cols: number }>;
}

/**
 * Linear-probe accuracy of an encoder's codes: a softmax classifier trained on the codes of
 * `train` and scored on the held-out `test` (50 epochs, batches of 32, learning rate 0.01, seed 0:
 * enough to converge on a hundred rows).
 */
export async function probeAccuracy(encoder: Encoder, train: LabelledImages, test: LabelledImages): Promise<number> {
  const trainCodes = await encoder.encode(train);
  const testCodes = await encoder.encode(test);
  const { accuracy } = await linearProbe(trainCodes, train.labels, testCodes, test.labels, { epochs: 50, batchSize: 32, learningRate: 1e-2, seed: 0 });
  return accuracy;
}

/** Linear-probe accuracy of the raw pixels (the baseline a learned code is compared with). */
export async function rawPixelProbeAccuracy(train: LabelledImages, test: LabelledImages): Promise<number> {
  const pixels = (d: LabelledImages) => ({ data: d.images, rows: d.size, cols: d.images.length / d.size });
  const { accuracy } = await linearProbe(pixels(train), train.labels, pixels(test), test.labels, { epochs: 50, batchSize: 32, learningRate: 1e-2, seed: 0 });
  return accuracy;
}

/** Hungarian accuracy of k-means (k = the number of classes, seed 0) on row-major features. */
export function kmeansAccuracy(features: { data: Float32Array; rows: number; cols: number }, labels: Int32Array): number {
  const classes = new Set(labels).size;
  return clusterAccuracy(labels, kmeans(features, classes, { seed: 0 }).labels).accuracy;
}
