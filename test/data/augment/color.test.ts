import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';

import { initBackend } from '../../../src/backend/init_backend.js';
import { adjustBrightness, adjustContrast, adjustHue, adjustSaturation, colorJitter, randomGrayscale, rgbToGrayscale } from '../../../src/data/augment/color.js';
import { relationalAugment, resolveRelationalAugment } from '../../../src/data/augment/relational_views.js';
import { leakedTensors } from '../../helpers/gradient_check.js';
import { values } from '../../helpers/tensor_values.js';

beforeAll(async () => {
  await initBackend({ backend: 'wasm' });
});

/** Three 1x1 RGB "images": pure red, a green-ish colour, a grey. */
const pixels = () => tf.tensor4d([1, 0, 0, 0.2, 0.6, 0.4, 0.5, 0.5, 0.5], [3, 1, 1, 3]);

/** Reference RGB → HSV → RGB hue rotation of one pixel (the colorsys formulas). */
function hueShiftByHand([r, g, b]: number[], shift: number): number[] {
  const max = Math.max(r, g, b);
  const min = Math.min(r, g, b);
  const v = max;
  const s = max === 0 ? 0 : (max - min) / max;
  if (max === min) return [r, g, b];
  const rc = (max - r) / (max - min);
  const gc = (max - g) / (max - min);
  const bc = (max - b) / (max - min);
  let h = r === max ? bc - gc : g === max ? 2 + rc - bc : 4 + gc - rc;
  h = (((h / 6 + shift) % 1) + 1) % 1;
  const i = Math.floor(h * 6) % 6;
  const f = h * 6 - Math.floor(h * 6);
  const p = v * (1 - s);
  const q = v * (1 - s * f);
  const t = v * (1 - s * (1 - f));
  return [[v, t, p], [q, v, p], [p, v, t], [p, q, v], [t, p, v], [v, p, q]][i];
}

describe('colour augmentations', () => {
  it('grayscale is the luma 0.2989 R + 0.587 G + 0.114 B', async () => {
    const gray = await values(rgbToGrayscale(pixels()));
    expect(gray[0]).toBeCloseTo(0.2989, 6);
    expect(gray[1]).toBeCloseTo(0.2989 * 0.2 + 0.587 * 0.6 + 0.114 * 0.4, 6);
    expect(gray[2]).toBeCloseTo(0.5 * (0.2989 + 0.587 + 0.114), 6);
    const x = pixels();
    const all = await values(randomGrayscale(x, 1, 3));
    for (let i = 0; i < 3; i++) for (let c = 0; c < 3; c++) expect(all[3 * i + c]).toBeCloseTo(gray[i], 6);
    expect(await values(randomGrayscale(x, 0, 3))).toEqual(await values(x.clone()));
    x.dispose();
  });

  it('brightness, contrast and saturation follow their formulas and clip to [0, 1]', async () => {
    const x = pixels();
    expect((await values(adjustBrightness(x, [0.5, 2, 0]))).map((v) => +v.toFixed(5))).toEqual([0.5, 0, 0, 0.4, 1, 0.8, 0, 0, 0]);
    // Saturation 0 → grayscale; 1 → unchanged; the grey pixel never changes.
    const gray = await values(rgbToGrayscale(x));
    const desaturated = await values(adjustSaturation(x, [0, 1, 3]));
    for (let c = 0; c < 3; c++) expect(desaturated[c]).toBeCloseTo(gray[0], 6);
    [0.2, 0.6, 0.4].forEach((v, c) => expect(desaturated[3 + c]).toBeCloseTo(v, 6));
    // (The luma weights sum to 0.9999, as torchvision's: a grey moves by 1e-4 at most.)
    for (let c = 0; c < 3; c++) expect(desaturated[6 + c]).toBeCloseTo(0.5, 3);
    // Contrast blends with the image's mean luma: 0 gives that mean everywhere.
    const image = tf.tensor4d([0, 0.2, 0.4, 1], [1, 2, 2, 1]);
    expect((await values(adjustContrast(image, [0]))).every((v) => Math.abs(v - 0.4) < 1e-6)).toBe(true);
    expect((await values(adjustContrast(image, [2]))).map((v) => +v.toFixed(5))).toEqual([0, 0, 0.4, 1]);
    tf.dispose([x, image]);
  });

  it('hue rotation agrees with the RGB → HSV → RGB formulas and keeps greys', async () => {
    const x = pixels();
    const source = await values(x.clone());
    for (const shift of [0.1, -0.3, 0.5]) {
      const out = await values(adjustHue(x, [shift, shift, shift]));
      for (let i = 0; i < 3; i++) {
        const expected = hueShiftByHand(source.slice(3 * i, 3 * i + 3), shift);
        for (let c = 0; c < 3; c++) expect(out[3 * i + c]).toBeCloseTo(expected[c], 5);
      }
    }
    // A zero shift is the identity (up to rounding) on random colours.
    const random = tf.randomUniform([4, 5, 5, 3], 0, 1, 'float32', 7) as tf.Tensor4D;
    const same = await values(adjustHue(random, [0, 0, 0, 0]));
    (await values(random.clone())).forEach((v, i) => expect(same[i]).toBeCloseTo(v, 5));
    expect(() => adjustHue(random, [0.6, 0, 0, 0])).toThrow(/shift 0 is 0.6, must be in \[−0.5, 0.5\]/);
    tf.dispose([x, random]);
  });

  it('colour jitter is seeded, per image, stays in [0, 1], and leaves unchosen images exactly as they were', async () => {
    const x = tf.randomUniform([16, 6, 6, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
    const strong = { brightness: 0.8, contrast: 0.8, saturation: 0.8, hue: 0.2, probability: 0.5 };
    const a = await values(colorJitter(x, strong, 11));
    const b = await values(colorJitter(x, strong, 11));
    const c = await values(colorJitter(x, strong, 12));
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    expect(Math.min(...a)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...a)).toBeLessThanOrEqual(1);
    const source = await values(x.clone());
    const per = 6 * 6 * 3;
    let unchanged = 0;
    for (let i = 0; i < 16; i++) {
      const same = a.slice(i * per, (i + 1) * per).every((v, j) => v === source[i * per + j]);
      if (same) unchanged++;
    }
    // About half the images are left alone (probability 0.5), and some are changed.
    expect(unchanged).toBeGreaterThan(0);
    expect(unchanged).toBeLessThan(16);
    expect(await values(colorJitter(x, { ...strong, probability: 0 }, 11))).toEqual(source);
    expect(() => colorJitter(x, { hue: 0.7 }, 0)).toThrow(/hue must be in \[0, 0.5\] turns, got 0.7/);
    expect(() => colorJitter(x, { brightness: -1 }, 0)).toThrow(/brightness must be a finite number ≥ 0/);
    x.dispose();
  });

  it('on single-channel images saturation, hue and grayscale are no-ops; brightness and contrast act', async () => {
    const x = tf.randomUniform([4, 5, 5, 1], 0, 1, 'float32', 2) as tf.Tensor4D;
    const source = await values(x.clone());
    expect(await values(adjustSaturation(x, [0, 0, 0, 0]))).toEqual(source);
    expect(await values(adjustHue(x, [0.3, 0.3, 0.3, 0.3]))).toEqual(source);
    expect(await values(randomGrayscale(x, 1, 0))).toEqual(source);
    expect(await values(colorJitter(x, { saturation: 0.8, hue: 0.4 }, 0))).toEqual(source);
    expect(await values(colorJitter(x, { brightness: 0.8 }, 0))).not.toEqual(source);
    const twoChannels = tf.zeros([1, 2, 2, 2]) as tf.Tensor4D;
    expect(() => randomGrayscale(twoChannels, 0.5, 0)).toThrow(/1 \(grayscale\) or 3 \(RGB\) channels, got 2/);
    tf.dispose([x, twoChannels]);
  });

  it('leaks no tensor', async () => {
    const x = tf.randomUniform([3, 4, 4, 3], 0, 1, 'float32', 3) as tf.Tensor4D;
    const options = { brightness: 0.5, contrast: 0.5, saturation: 0.5, hue: 0.1, probability: 0.8 };
    expect(await leakedTensors(() => colorJitter(x, options, 1).dispose())).toBe(0);
    expect(await leakedTensors(() => randomGrayscale(x, 0.5, 1).dispose())).toBe(0);
    expect(await leakedTensors(() => adjustSaturation(tf.zeros([1, 2, 2, 1]) as tf.Tensor4D, [1]).dispose())).toBe(1);
    x.dispose();
  });
});

describe('relational views', () => {
  it('the presets resolve, overrides apply and bad options are rejected', () => {
    expect(resolveRelationalAugment('mnist')).toMatchObject({ cropScale: [0.3, 1], maxRotationDegrees: 20, horizontalFlip: 0, colorJitter: null, grayscale: 0 });
    expect(resolveRelationalAugment('cifar')).toMatchObject({ cropScale: [0.08, 1], horizontalFlip: 0.5, grayscale: 0.2, colorJitter: { brightness: 0.8, contrast: 0.8, saturation: 0.8, hue: 0.2, probability: 0.8 } });
    expect(resolveRelationalAugment('cifar', { colorJitter: null, horizontalFlip: 0 })).toMatchObject({ colorJitter: null, horizontalFlip: 0, grayscale: 0.2 });
    expect(() => resolveRelationalAugment('mnist', { cropScale: [0, 1] })).toThrow(/cropScale must be \[min, max\] with 0 < min ≤ max ≤ 1/);
    expect(() => resolveRelationalAugment('mnist', { horizontalFlip: 2 })).toThrow(/horizontalFlip must be a probability/);
    expect(() => resolveRelationalAugment('svhn' as 'mnist')).toThrow(/unknown preset 'svhn'/);
  });

  it('views are seeded, keep the shape and values in [0, 1]', async () => {
    const x = tf.randomUniform([6, 12, 12, 3], 0, 1, 'float32', 4) as tf.Tensor4D;
    const view = relationalAugment('cifar');
    const a = view(x, 5);
    expect(a.shape).toEqual([6, 12, 12, 3]);
    const av = await values(a);
    expect(await values(view(x, 5))).toEqual(av);
    expect(await values(view(x, 6))).not.toEqual(av);
    expect(Math.min(...av)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...av)).toBeLessThanOrEqual(1 + 1e-6);
    const resized = relationalAugment(resolveRelationalAugment('mnist', { outputSize: [8, 10] }))(x, 0);
    expect(resized.shape).toEqual([6, 8, 10, 3]);
    resized.dispose();
    expect(await leakedTensors(() => view(x, 1).dispose())).toBe(0);
    x.dispose();
  });
});
