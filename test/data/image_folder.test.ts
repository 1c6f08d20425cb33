import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import * as tf from '@tensorflow/tfjs';

import { initBackend } from '../../src/backend/init_backend.js';
import { loadImageFolder } from '../../src/data/image_folder.js';
import { gatherRows, validateDataset } from '../../src/data/dataset.js';
import type { ImageDataset } from '../../src/data/dataset.js';
import { Autoencoder } from '../../src/methods/autoencoder.js';

/**
 * loadImageFolder on small folders made here with sharp: class subfolders and flat folders, PNG
 * and JPEG, grey and RGB, mixed sizes (the short side then centre crop policy, checked on images
 * whose pixels say where they came from), corrupt files, empty folders.
 */

const root = mkdtempSync(path.join(tmpdir(), 'tfjs-unsupervised-image-folder-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A grey image whose pixel (y, x) is `value(y, x)`, as an 8-bit grey PNG. */
async function greyPng(file: string, height: number, width: number, value: (y: number, x: number) => number): Promise<Uint8Array> {
  const bytes = Buffer.alloc(height * width);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) bytes[y * width + x] = value(y, x);
  mkdirSync(path.dirname(file), { recursive: true });
  await sharp(bytes, { raw: { width, height, channels: 1 } }).toColourspace('b-w').png().toFile(file);
  return bytes;
}

/** An RGB image of one colour, as PNG or JPEG by the file's extension. */
async function rgbImage(file: string, height: number, width: number, rgb: [number, number, number]): Promise<void> {
  const bytes = Buffer.alloc(height * width * 3);
  for (let i = 0; i < height * width; i++) bytes.set(rgb, 3 * i);
  mkdirSync(path.dirname(file), { recursive: true });
  const image = sharp(bytes, { raw: { width, height, channels: 3 } });
  await (file.endsWith('.png') ? image.png() : image.jpeg({ quality: 95 })).toFile(file);
}

const folders = {
  labelled: path.join(root, 'labelled'),
  flat: path.join(root, 'flat'),
  empty: path.join(root, 'empty'),
  noImages: path.join(root, 'no-images'),
  large: path.join(root, 'large'),
};
let gradient: Uint8Array;

beforeAll(async () => {
  // Classes out of alphabetical order on disk: 'zebra' must still come after 'ant'.
  gradient = await greyPng(path.join(folders.labelled, 'zebra', 'z1.png'), 6, 6, (y, x) => 10 * y + x);
  await rgbImage(path.join(folders.labelled, 'zebra', 'nested', 'z2.jpg'), 12, 12, [200, 40, 40]);
  await rgbImage(path.join(folders.labelled, 'ant', 'a1.png'), 6, 6, [0, 128, 255]);
  // Wider than tall: 6 high × 12 wide, column x holds 20 x → the centre columns 3..8 survive.
  await greyPng(path.join(folders.labelled, 'ant', 'a2.png'), 6, 12, (_y, x) => 20 * x);
  writeFileSync(path.join(folders.labelled, 'ant', 'broken.png'), 'this is not a PNG file');
  writeFileSync(path.join(folders.labelled, 'ant', 'notes.txt'), 'not an image, not counted');
  mkdirSync(path.join(folders.labelled, 'empty-class'));

  await greyPng(path.join(folders.flat, 'b.png'), 5, 5, () => 7);
  await greyPng(path.join(folders.flat, 'a.png'), 5, 5, () => 3);
  await greyPng(path.join(folders.flat, 'sub', 'c.png'), 10, 10, () => 9);

  mkdirSync(folders.empty);
  mkdirSync(folders.noImages);
  writeFileSync(path.join(folders.noImages, 'readme.md'), '# nothing');
  await greyPng(path.join(folders.large, 'big.png'), 300, 400, () => 1);
});

describe('loadImageFolder', () => {
  it('class subfolders: labels, sorted classes, ids, the first image sets size and channels; broken files skipped with a warning', async () => {
    const warnings: string[] = [];
    const dataset = await loadImageFolder(folders.labelled, { onWarning: (message) => warnings.push(message) });
    expect(dataset.classes).toEqual(['ant', 'zebra']);
    expect(dataset.ids).toEqual(['ant/a1.png', 'ant/a2.png', 'zebra/nested/z2.jpg', 'zebra/z1.png']);
    expect(Array.from(dataset.labels!)).toEqual([0, 0, 1, 1]);
    // The first image (ant/a1.png) is 6 × 6 RGB.
    expect(dataset.shape).toEqual([6, 6, 3]);
    expect(dataset.size).toBe(4);
    expect(dataset.skipped).toHaveLength(1);
    expect(dataset.skipped[0].file).toBe('ant/broken.png');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/skipped 1 file that could not be decoded: ant\/broken\.png \(/);
    validateDataset(dataset, 'test');
    // ant/a1.png, RGB (0, 128, 255), unchanged.
    const first = Array.from(dataset.images.subarray(0, 3), (v) => Math.round(v * 255));
    expect(first).toEqual([0, 128, 255]);
  });

  it('mixed sizes: short side to the output, centre crop (exact on a gradient); grey repeated into RGB', async () => {
    const dataset = await loadImageFolder(folders.labelled, { size: [6, 6], channels: 3, onWarning: () => undefined });
    const d = 6 * 6 * 3;
    const a2 = dataset.images.subarray(1 * d, 2 * d);
    // 6 × 12 → already 6 high: no scaling, columns 3..8 of 20 x.
    for (let y = 0; y < 6; y++) {
      for (let x = 0; x < 6; x++) {
        for (let c = 0; c < 3; c++) expect(Math.round(a2[(y * 6 + x) * 3 + c] * 255)).toBe(20 * (x + 3));
      }
    }
    // A 12 × 12 JPEG of one colour, halved: still that colour (JPEG is lossy: ±3).
    const z2 = Array.from(dataset.images.subarray(2 * d, 2 * d + 3), (v) => v * 255);
    expect(Math.abs(z2[0] - 200)).toBeLessThanOrEqual(3);
    expect(Math.abs(z2[1] - 40)).toBeLessThanOrEqual(3);
    expect(Math.abs(z2[2] - 40)).toBeLessThanOrEqual(3);
  });

  it('grey output: an 8-bit grey PNG of the output size round-trips bit for bit (byte / 255, as loadIdx)', async () => {
    const dataset = await loadImageFolder(folders.labelled, { size: [6, 6], channels: 1, onWarning: () => undefined });
    expect(dataset.shape).toEqual([6, 6, 1]);
    const z1 = dataset.images.subarray(3 * 36, 4 * 36);
    expect(Array.from(z1)).toEqual(Array.from(gradient, (b) => Math.fround(b / 255)));
    // A colour image to grey: one luminance value per pixel, between its channels' extremes.
    const a1 = dataset.images[0] * 255;
    expect(a1).toBeGreaterThan(0);
    expect(a1).toBeLessThan(255);
  });

  it('a flat folder is unlabelled; nested folders are read too, in sorted path order; limit takes the first files', async () => {
    const dataset = await loadImageFolder(folders.flat, { size: [5, 5] });
    expect(dataset.labels).toBeUndefined();
    expect(dataset.classes).toBeUndefined();
    expect(dataset.ids).toEqual(['a.png', 'b.png', 'sub/c.png']);
    expect(dataset.shape).toEqual([5, 5, 1]);
    expect(Array.from(dataset.images.subarray(0, 25), (v) => Math.round(v * 255))).toEqual(Array(25).fill(3));
    expect(Array.from(dataset.images.subarray(50, 75), (v) => Math.round(v * 255))).toEqual(Array(25).fill(9));
    const limited = await loadImageFolder(folders.flat, { limit: 2 });
    expect(limited.ids).toEqual(['a.png', 'b.png']);
    // labels: 'none' on a folder with class subfolders reads every image, unlabelled.
    const unlabelled = await loadImageFolder(folders.labelled, { labels: 'none', size: [4, 4], onWarning: () => undefined });
    expect(unlabelled.labels).toBeUndefined();
    expect(unlabelled.size).toBe(4);
  });

  it("pixels: 'uint8' keeps the decoded bytes; a method trained on them matches one trained on the floats", async () => {
    await initBackend({ backend: 'cpu' });
    const floats = await loadImageFolder(folders.labelled, { size: [6, 6], channels: 1, onWarning: () => undefined });
    const bytes = await loadImageFolder(folders.labelled, { size: [6, 6], channels: 1, pixels: 'uint8', onWarning: () => undefined });
    expect(bytes.images).toBeInstanceOf(Uint8Array);
    expect(bytes.ids).toEqual(floats.ids);
    expect(Array.from(bytes.images.subarray(3 * 36, 4 * 36))).toEqual(Array.from(gradient));
    expect(gatherRows(bytes, [0, 1, 2, 3])).toEqual(floats.images);
    const before = tf.memory().numTensors;
    const codes: Float32Array[] = [];
    for (const data of [floats, bytes as unknown as ImageDataset]) {
      const model = new Autoencoder({ layers: [36, 8, 2], seed: 0 });
      await model.fit(data, { epochs: 2, batchSize: 2, progress: 'none' });
      codes.push((await model.encode(data)).data);
      model.dispose();
    }
    expect(codes[1]).toEqual(codes[0]);
    expect(tf.memory().numTensors).toBe(before);
    await expect(loadImageFolder(folders.flat, { pixels: 'uint16' as 'uint8' })).rejects.toThrow(/pixels must be 'float32' or 'uint8', got 'uint16'/);
  });

  it('strict: a file that cannot be decoded is an error naming it', async () => {
    await expect(loadImageFolder(folders.labelled, { strict: true })).rejects.toThrow(/loadImageFolder: cannot decode .*ant\/broken\.png: /);
  });

  it('an empty folder, a folder without images, a missing folder, a flat folder asked for classes: clear errors', async () => {
    await expect(loadImageFolder(folders.empty)).rejects.toThrow(/loadImageFolder: no image files in .*empty \(looked for \.png, \.jpg, .*; the folder is empty\)/);
    await expect(loadImageFolder(folders.noImages)).rejects.toThrow(/no image files in .*no-images .*found 1 other file\)/);
    await expect(loadImageFolder(path.join(root, 'nope'))).rejects.toThrow(/loadImageFolder: the folder .*nope does not exist/);
    await expect(loadImageFolder(folders.flat, { labels: 'subfolders' })).rejects.toThrow(/has image files of its own \(a\.png, and 1 more\)/);
    await expect(loadImageFolder(folders.empty, { labels: 'subfolders' })).rejects.toThrow(/has no subfolders, so no classes/);
    await expect(loadImageFolder(folders.flat, { extensions: ['.jpg'], labels: 'none' })).rejects.toThrow(/looked for \.jpg; found 3 other files/);
    await expect(loadImageFolder(folders.flat, { extensions: ['jpg'] })).rejects.toThrow(/looked for \.jpg in its class subfolders; found 3 other files/);
  });

  it('images larger than 256 without a size: an error asking for one; with a size they are resized', async () => {
    await expect(loadImageFolder(folders.large)).rejects.toThrow(/the first image, big\.png, is 300x400 .* Give the size to train at/);
    const resized = await loadImageFolder(folders.large, { size: [30, 30] });
    expect(resized.shape).toEqual([30, 30, 1]);
    expect(Array.from(resized.images.subarray(0, 900), (v) => Math.round(v * 255))).toEqual(Array(900).fill(1));
  });

  it('bad options: errors naming them', async () => {
    await expect(loadImageFolder(folders.flat, { size: [0, 4] })).rejects.toThrow(/loadImageFolder: size must be \[height, width\] of positive integers/);
    await expect(loadImageFolder(folders.flat, { channels: 2 as 1 })).rejects.toThrow(/channels must be 1 \(grey\) or 3 \(RGB\), got 2/);
    await expect(loadImageFolder(folders.flat, { labels: 'folders' as 'none' })).rejects.toThrow(/labels must be 'subfolders' or 'none'/);
    await expect(loadImageFolder(folders.flat, { extensions: [] })).rejects.toThrow(/extensions must be a non-empty list/);
    await expect(loadImageFolder(folders.flat, { limit: 0 })).rejects.toThrow(/limit must be a positive integer/);
    await expect(loadImageFolder('' as string)).rejects.toThrow(/loadImageFolder: directory must be a non-empty string/);
  });

  it('without the package sharp: an error naming it and how to install it', () => {
    // A child process whose module resolution fails for 'sharp' only.
    const hooks = path.join(root, 'no_sharp_hooks.mjs');
    writeFileSync(
      hooks,
      "export async function resolve(specifier, context, next) { if (specifier === 'sharp') throw new Error(\"Cannot find package 'sharp'\"); return next(specifier, context); }\n",
    );
    const register = path.join(root, 'no_sharp_register.mjs');
    writeFileSync(register, `import { register } from 'node:module';\nregister(${JSON.stringify(`file://${hooks}`)});\n`);
    const source = fileURLToPath(new URL('../../src/data/image_folder.ts', import.meta.url));
    const script = `import { loadImageFolder } from ${JSON.stringify(source)}; loadImageFolder(${JSON.stringify(folders.flat)}).then(() => console.log('loaded'), (e) => console.log(e.message));`;
    const child = spawnSync(process.execPath, ['--import', register, '--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', cwd: path.resolve(path.dirname(source), '../..') });
    expect(child.stdout, child.stderr).toMatch(/loadImageFolder: decoding images needs the optional package sharp, which is not installed: npm install sharp/);
  });
});
