import type { ImageDataset } from '../../src/data/dataset.js';
import { createRandom } from '../../src/data/random.js';

/**
 * A small labelled image dataset of `classes` prototypes plus noise, values in [0, 1]:
 * each class lights a different block of pixels. Easy to reconstruct, cluster and classify.
 */
export function blobImages(size: number, options: { side?: number; classes?: number; noise?: number; seed?: number } = {}): ImageDataset {
  const { side = 8, classes = 3, noise = 0.05, seed = 0 } = options;
  const random = createRandom(seed);
  const pixels = side * side;
  const images = new Float32Array(size * pixels);
  const labels = new Int32Array(size);
  for (let i = 0; i < size; i++) {
    const label = i % classes;
    labels[i] = label;
    for (let p = 0; p < pixels; p++) {
      const lit = Math.floor((p * classes) / pixels) === label ? 0.9 : 0.1;
      images[i * pixels + p] = Math.min(1, Math.max(0, lit + noise * random.normal()));
    }
  }
  return { images, labels, shape: [side, side, 1], size, name: 'blobs' };
}
