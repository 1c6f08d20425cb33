import * as tf from '@tensorflow/tfjs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

import { builtInCpuKernel, CPU_GAP_FILL_KERNELS } from '../../src/backend/cpu_kernels/index.js';
import { ensureBackendKernels } from '../../src/backend/ensure_kernels.js';
import { initBackend } from '../../src/backend/init_backend.js';
import { rotate } from '../../src/data/augment/geometric.js';
import { createRandom } from '../../src/data/random.js';
import { relativeError } from './kernel_grid.js';

// The corrected cpu Transform against wasm's Transform (its own C++ kernel) over a grid: batch
// sizes 1 to 4, rotations, affine and projective transforms (one per image or one shared),
// nearest and bilinear interpolation, the four fill modes, output sizes equal, smaller and larger.
// Measure: max |cpu − wasm| / max |wasm| (the wasm gap-fill tests' measure), at most 1e-4. For
// 'reflect' only where the sampling point is not negative: there wasm's own kernel is wrong, and a
// separate test checks the mapping against TensorFlow's definition.
const TOLERANCE = 1e-4;
const root = fileURLToPath(new URL('../..', import.meta.url));
const tsx = fileURLToPath(new URL('../../node_modules/.bin/tsx', import.meta.url));

type FillMode = 'constant' | 'reflect' | 'wrap' | 'nearest';
type Interpolation = 'nearest' | 'bilinear';

interface TransformCase {
  batch: number;
  height: number;
  width: number;
  channels: number;
  kind: 'rotation' | 'affine' | 'projective' | 'half-pixel shift' | 'shared';
  interpolation: Interpolation;
  fillMode: FillMode;
  fillValue: number;
  outputShape?: [number, number];
}

/** One transform per image (or one shared), as rows of 8, drawn with `seed`. */
function transformsFor(c: TransformCase, seed: number): { values: Float32Array; rows: number } {
  const random = createRandom(seed);
  const rows = c.kind === 'shared' ? 1 : c.batch;
  const values = new Float32Array(rows * 8);
  const cx = (c.width - 1) / 2;
  const cy = (c.height - 1) / 2;
  for (let i = 0; i < rows; i++) {
    let row: number[];
    if (c.kind === 'rotation' || c.kind === 'shared') {
      // Rotations well beyond the image's corners too, so that every fill mode is exercised.
      const theta = (random.next() * 2 - 1) * Math.PI;
      const cos = Math.cos(theta);
      const sin = Math.sin(theta);
      row = [cos, -sin, cx - cos * cx + sin * cy, sin, cos, cy - sin * cx - cos * cy, 0, 0];
    } else if (c.kind === 'half-pixel shift') {
      // Exact .5 sampling points: nearest's rounding and the fill modes' edges decide.
      row = [1, 0, -0.5 - i, 0, 1, 0.5 + i, 0, 0];
    } else {
      const scale = 0.6 + random.next() * 1.2;
      const shear = (random.next() * 2 - 1) * 0.4;
      row = [scale, shear, (random.next() * 2 - 1) * 4, -shear / 2, scale * 0.9, (random.next() * 2 - 1) * 4, 0, 0];
      if (c.kind === 'projective') {
        row[6] = (random.next() * 2 - 1) * 0.05;
        row[7] = (random.next() * 2 - 1) * 0.05;
      }
    }
    values.set(row, i * 8);
  }
  return { values, rows };
}

const cases: TransformCase[] = [];
for (const batch of [1, 2, 3, 4]) {
  for (const kind of ['rotation', 'affine', 'projective', 'half-pixel shift', 'shared'] as const) {
    for (const interpolation of ['nearest', 'bilinear'] as const) {
      for (const fillMode of ['constant', 'reflect', 'wrap', 'nearest'] as const) {
        cases.push({ batch, height: 7, width: 9, channels: batch === 3 ? 3 : 1, kind, interpolation, fillMode, fillValue: batch % 2 === 0 ? 0 : 0.5 });
      }
    }
  }
}
for (const outputShape of [[5, 6], [11, 10]] as [number, number][]) {
  for (const interpolation of ['nearest', 'bilinear'] as const) {
    cases.push({ batch: 3, height: 8, width: 8, channels: 2, kind: 'affine', interpolation, fillMode: 'reflect', fillValue: 0, outputShape });
    cases.push({ batch: 2, height: 8, width: 8, channels: 1, kind: 'rotation', interpolation, fillMode: 'constant', fillValue: -1, outputShape });
  }
}

/**
 * Which output values sample the input at non-negative coordinates (x ≥ 0 and y ≥ 0), and how many
 * of those lie beyond the far edges. wasm's `reflect` maps negative coordinates wrongly (see the
 * test of the 1-D mapping below), so for `reflect` the grid compares with wasm there only.
 */
function nonNegativeSamples(c: TransformCase, seed: number): { mask: boolean[]; beyondFarEdge: number } {
  const { values, rows } = transformsFor(c, seed + 1);
  const [outHeight, outWidth] = c.outputShape ?? [c.height, c.width];
  const mask: boolean[] = [];
  let beyondFarEdge = 0;
  for (let b = 0; b < c.batch; b++) {
    const t = Array.from(values.subarray(rows === 1 ? 0 : b * 8, rows === 1 ? 8 : b * 8 + 8));
    for (let y = 0; y < outHeight; y++) {
      for (let x = 0; x < outWidth; x++) {
        const projection = t[6] * x + t[7] * y + 1;
        const inX = (t[0] * x + t[1] * y + t[2]) / projection;
        const inY = (t[3] * x + t[4] * y + t[5]) / projection;
        const kept = projection !== 0 && inX >= 0 && inY >= 0;
        if (kept && (inX > c.width - 1 || inY > c.height - 1)) beyondFarEdge += 1;
        for (let channel = 0; channel < c.channels; channel++) mask.push(kept);
      }
    }
  }
  return { mask, beyondFarEdge };
}

/** tf.image.transform of the case's images on `backend`, as an array. */
async function transformOn(backend: 'cpu' | 'wasm', c: TransformCase, seed: number): Promise<Float32Array> {
  await initBackend({ backend });
  const random = createRandom(seed);
  const pixels = Float32Array.from({ length: c.batch * c.height * c.width * c.channels }, () => random.next());
  const { values, rows } = transformsFor(c, seed + 1);
  const result = tf.tidy(() =>
    tf.image.transform(tf.tensor4d(pixels, [c.batch, c.height, c.width, c.channels]), tf.tensor2d(values, [rows, 8]), c.interpolation, c.fillMode, c.fillValue, c.outputShape),
  );
  const out = Float32Array.from(await result.data());
  result.dispose();
  return out;
}

const tensorsAtStart = tf.memory().numTensors;
afterAll(() => {
  expect(tf.memory().numTensors).toBe(tensorsAtStart);
});

describe('cpu Transform (tf.image.transform) equals wasm', () => {
  it('replaces the built-in kernel when cpu starts; the built-in one still leaves images after the first at the fill value (the bug it corrects)', async () => {
    await initBackend({ backend: 'cpu' });
    expect(CPU_GAP_FILL_KERNELS).toEqual(['Transform']);
    const builtIn = builtInCpuKernel('Transform');
    expect(builtIn).toBeDefined();
    expect(tf.getKernel('Transform', 'cpu')?.kernelFunc).not.toBe(builtIn);
    const images = tf.ones([3, 4, 4, 1]);
    const identity = tf.tensor2d([1, 0, 0, 0, 1, 0, 0, 0], [1, 8]);
    const backend = tf.backend();
    const info = builtIn!({ inputs: { image: images, transforms: identity }, attrs: { interpolation: 'nearest', fillMode: 'constant', fillValue: 7 }, backend }) as tf.TensorInfo;
    const upstream = Array.from(backend.readSync(info.dataId) as Float32Array);
    backend.disposeData(info.dataId);
    expect(upstream.slice(0, 16).every((v) => v === 1)).toBe(true);
    expect(upstream.slice(16).every((v) => v === 7)).toBe(true);
    const ours = tf.image.transform(images as tf.Tensor4D, identity, 'nearest', 'constant', 7);
    expect(Array.from(await ours.data()).every((v) => v === 1)).toBe(true);
    tf.dispose([images, identity, ours]);
  });

  it('is registered by training on cpu however cpu was chosen (ensureBackendKernels; a child process that uses tf.setBackend)', async () => {
    const child = fileURLToPath(new URL('./fixtures/cpu_transform_ensure.ts', import.meta.url));
    const result = spawnSync(tsx, [child], { cwd: root, env: { ...process.env, TFJS_UNSUPERVISED_BACKEND: 'cpu' }, encoding: 'utf8', timeout: 60_000 });
    expect(result.status, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout.trim().split('\n').pop() as string)).toEqual({ backend: 'cpu', before: 1, after: 3 });
    // Registered once, however often it is asked for.
    await initBackend({ backend: 'cpu' });
    ensureBackendKernels('test');
    expect(tf.getKernelsForBackend('cpu').filter((kernel) => kernel.kernelName === 'Transform')).toHaveLength(1);
  });

  it("rotate()'s views on cpu: every image of a batch is rotated (not blank after the first), as on wasm", async () => {
    const random = createRandom(3);
    const pixels = Float32Array.from({ length: 4 * 10 * 10 }, () => random.next());
    const run = async (backend: 'cpu' | 'wasm') => {
      await initBackend({ backend });
      const images = tf.tensor4d(pixels, [4, 10, 10, 1]);
      const rotated = rotate(images, [30, -45, 90, 170]);
      const values = Float32Array.from(await rotated.data());
      tf.dispose([images, rotated]);
      return values;
    };
    const cpu = await run('cpu');
    const wasm = await run('wasm');
    for (let image = 1; image < 4; image++) expect(cpu.slice(image * 100, image * 100 + 100).some((v) => v !== 0)).toBe(true);
    expect(relativeError(cpu, wasm)).toBeLessThanOrEqual(TOLERANCE);
  });

  it(`over ${cases.length} cases of the grid, within ${TOLERANCE}`, async () => {
    const failures: string[] = [];
    let worst = 0;
    let reflectedBeyondFarEdge = 0;
    for (const [i, c] of cases.entries()) {
      const cpu = await transformOn('cpu', c, 100 + i);
      const wasm = await transformOn('wasm', c, 100 + i);
      let error: number;
      if (c.fillMode === 'reflect') {
        const { mask, beyondFarEdge } = nonNegativeSamples(c, 100 + i);
        reflectedBeyondFarEdge += beyondFarEdge;
        error = relativeError(cpu.filter((_, j) => mask[j]), wasm.filter((_, j) => mask[j]));
      } else {
        error = relativeError(cpu, wasm);
      }
      worst = Math.max(worst, error);
      if (!(error <= TOLERANCE)) failures.push(`${JSON.stringify(c)}: relative error ${error}`);
      // Every image of the batch was transformed: no image left wholly at the fill value.
      const perImage = cpu.length / c.batch;
      for (let b = 0; b < c.batch; b++) {
        if (cpu.slice(b * perImage, (b + 1) * perImage).every((v) => v === c.fillValue)) failures.push(`${JSON.stringify(c)}: image ${b} is all fill value`);
      }
    }
    console.log(`cpu Transform vs wasm: ${cases.length} cases, worst relative error ${worst.toExponential(2)} (reflect: ${reflectedBeyondFarEdge} samples beyond the far edges compared)`);
    expect(failures).toEqual([]);
    expect(reflectedBeyondFarEdge).toBeGreaterThan(100);
  });

  it("reflect mirrors negative coordinates as TensorFlow defines it (d c b a | a b c d | d c b a); wasm's kernel does not", async () => {
    // A row [0, 1, 2, 3] sampled at x = t (one output pixel, a translation by t).
    const shifts = [-12, -9, -8, -7, -6, -5, -4, -3, -2, -1, -0.5, 0, 3, 4, 5, 7, 8, 9, 12];
    const sample = async (backend: 'cpu' | 'wasm', interpolation: Interpolation, at: number[]) => {
      await initBackend({ backend });
      const row = tf.tensor4d([0, 1, 2, 3], [1, 1, 4, 1]);
      const out: number[] = [];
      for (const t of at) {
        const value = tf.tidy(() => tf.image.transform(row, tf.tensor2d([1, 0, t, 0, 1, 0, 0, 0], [1, 8]), interpolation, 'reflect', -1, [1, 1]));
        out.push((await value.data())[0]);
        value.dispose();
      }
      row.dispose();
      return out;
    };
    expect(await sample('cpu', 'nearest', shifts)).toEqual([3, 0, 0, 1, 2, 3, 3, 2, 1, 0, 0, 0, 3, 3, 2, 0, 0, 1, 3]);
    expect(await sample('cpu', 'bilinear', [-1.5, -2.25, 4.5, 9.75])).toEqual([0.5, 1.25, 2.5, 1.75]);
    // tfjs-backend-wasm 4.22 maps -len ≤ x < 0 (after taking off whole periods) to the last pixel.
    expect(await sample('wasm', 'nearest', shifts)).toEqual([3, 3, 3, 1, 2, 3, 3, 3, 3, 3, 3, 0, 3, 3, 2, 0, 0, 1, 3]);
  });
});
