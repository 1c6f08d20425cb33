import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';

import { initBackend } from '../../src/backend/init_backend.js';
import { sobelFilter } from '../../src/nn/sobel.js';

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});

describe('sobelFilter', () => {
  it('gives the horizontal and vertical Sobel responses of the grayscale image, same size', async () => {
    // A vertical edge: columns 0-1 dark, 2-4 bright; a horizontal edge would be the transpose.
    const values = Array.from({ length: 25 }, (_, i) => (i % 5 >= 2 ? 1 : 0));
    const before = tf.memory().numTensors;
    const input = tf.tensor4d(values, [1, 5, 5, 1]);
    const out = sobelFilter(input);
    expect(out.shape).toEqual([1, 5, 5, 2]);
    const edges = (await out.array())[0];
    // At the centre row, column 1 and 2 straddle the edge: Gx = (left − right) weights 1, 2, 1 → −4.
    expect(edges[2][1][0]).toBeCloseTo(-4, 6);
    expect(edges[2][2][0]).toBeCloseTo(-4, 6);
    // Far from the edge and along it, no response; a vertical edge gives no Gy inside the image.
    expect(edges[2][3][0]).toBeCloseTo(0, 6);
    expect(edges[2][1][1]).toBeCloseTo(0, 6);
    tf.dispose([input, out]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('averages the channels first: an RGB image with equal channels gives the gray image’s response', async () => {
    const gray = tf.randomUniform([2, 6, 6, 1], 0, 1, 'float32', 3);
    const rgb = tf.concat([gray, gray, gray], 3) as tf.Tensor4D;
    const [a, b] = [sobelFilter(gray as tf.Tensor4D), sobelFilter(rgb)];
    const [va, vb] = [await a.data(), await b.data()];
    va.forEach((v, i) => expect(vb[i]).toBeCloseTo(v, 5));
    tf.dispose([gray, rgb, a, b]);
  });

  it('names a bad argument', () => {
    expect(() => sobelFilter(tf.zeros([4, 4]) as unknown as tf.Tensor4D)).toThrow(/sobelFilter/);
  });
});
