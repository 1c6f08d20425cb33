/**
 * Image folders against the IDX path, on MNIST (issue 22):
 *
 * 1. Writes the first `--n` (default 10 000) MNIST training images and the 10 000 test images as
 *    8-bit grey PNG files (sharp) in the ImageFolder layout `<dir>/{train,test}/<digit>/<row>.png`.
 * 2. Reads the training folder back with loadImageFolder: every decoded pixel must equal the IDX
 *    pixel bit for bit (as float32, both byte / 255); decode throughput in images per second.
 * 3. Unless `--no-train`: trains the autoencoder through the CLI both ways with the same flags
 *    (`train autoencoder --limit N --epochs E --seed S`, `--dataset mnist` vs
 *    `--dataset folder:<dir>`), then `eval` each (k-means on the codes of the 10 000 test images:
 *    MNIST's IDX test split vs the folder's test/ split, the same images), and prints both NMIs.
 *
 * Usage: npx tsx bench/image_folder.ts [--n 10000] [--epochs 3] [--seed 0] [--dir /tmp/mnist-folder] [--keep] [--no-train]
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

import sharp from 'sharp';

import { loadImageFolder } from '../src/data/image_folder.js';
import { loadMnist } from '../src/data/mnist.js';

function argument(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}
const flag = (name: string): boolean => process.argv.includes(`--${name}`);

const n = Number(argument('n', '10000'));
const epochs = Number(argument('epochs', '3'));
const seed = argument('seed', '0');
const root = argument('dir', mkdtempSync(path.join(tmpdir(), 'mnist-folder-')));
const repository = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Writes a split as PNG files; returns the seconds taken. */
async function writeSplit(split: 'train' | 'test', limit: number): Promise<number> {
  const started = performance.now();
  const data = await loadMnist({ split, limit });
  const d = 28 * 28;
  const pending: Promise<unknown>[] = [];
  for (let row = 0; row < data.size; row++) {
    const label = data.labels![row];
    const folder = path.join(root, split, String(label));
    if (!existsSync(folder)) mkdirSync(folder, { recursive: true });
    const bytes = Buffer.alloc(d);
    for (let i = 0; i < d; i++) bytes[i] = Math.round(data.images[row * d + i] * 255);
    pending.push(sharp(bytes, { raw: { width: 28, height: 28, channels: 1 } }).toColourspace('b-w').png().toFile(path.join(folder, `${String(row).padStart(5, '0')}.png`)));
    if (pending.length >= 64) await Promise.all(pending.splice(0));
  }
  await Promise.all(pending);
  return (performance.now() - started) / 1000;
}

console.log(`machine load before: ${loadavg().map((v) => v.toFixed(2)).join(' ')} (1, 5, 15 min; 2 cores)`);
if (!existsSync(path.join(root, 'train'))) {
  const writeTrain = await writeSplit('train', n);
  const writeTest = await writeSplit('test', 10000);
  console.log(`wrote ${n} + 10000 PNG files to ${root} in ${(writeTrain + writeTest).toFixed(1)} s`);
}

// Bit-for-bit: every decoded pixel equals the IDX pixel of the same row.
const idx = await loadMnist({ split: 'train', limit: n });
const started = performance.now();
const folder = await loadImageFolder(path.join(root, 'train'));
const seconds = (performance.now() - started) / 1000;
if (folder.size !== n) throw new Error(`image_folder bench: the folder gave ${folder.size} images, expected ${n}.`);
let mismatches = 0;
let labelMismatches = 0;
const d = 28 * 28;
for (let row = 0; row < folder.size; row++) {
  const id = folder.ids[row];
  const source = Number(path.basename(id, '.png'));
  if (Number(folder.classes![folder.labels![row]]) !== idx.labels![source]) labelMismatches++;
  for (let i = 0; i < d; i++) {
    if (folder.images[row * d + i] !== idx.images[source * d + i]) mismatches++;
  }
}
console.log(
  JSON.stringify({
    bench: 'image folder decode',
    images: folder.size,
    shape: folder.shape,
    pixelMismatches: mismatches,
    labelMismatches,
    bitExact: mismatches === 0 && labelMismatches === 0,
    seconds: Number(seconds.toFixed(2)),
    imagesPerSecond: Math.round(folder.size / seconds),
  }),
);
if (mismatches > 0 || labelMismatches > 0) process.exitCode = 1;

if (!flag('no-train')) {
  const cli = (args: string[]): string =>
    execFileSync(process.execPath, ['--import', 'tsx', path.join(repository, 'src/cli/main.ts'), ...args], { cwd: repository, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const runs = mkdtempSync(path.join(tmpdir(), 'image-folder-runs-'));
  const results: Record<string, unknown>[] = [];
  for (const [name, dataset] of [
    ['idx', 'mnist'],
    ['folder', `folder:${root}`],
  ] as const) {
    const out = path.join(runs, name);
    const trainStarted = performance.now();
    cli(['train', 'autoencoder', '--dataset', dataset, '--limit', String(n), '--epochs', String(epochs), '--seed', seed, '--out', out, '--progress', 'none']);
    const trainSeconds = (performance.now() - trainStarted) / 1000;
    cli(['eval', out]);
    const report = JSON.parse(readFileSync(path.join(out, 'eval.json'), 'utf8')) as { clustering: Record<string, unknown>; images: number };
    results.push({ path: name, dataset, seed, trainSeconds: Number(trainSeconds.toFixed(1)), evalImages: report.images, clustering: report.clustering });
  }
  for (const result of results) console.log(JSON.stringify({ bench: 'autoencoder through the folder vs IDX', ...result }));
  if (!flag('keep')) rmSync(runs, { recursive: true, force: true });
}
console.log(`machine load after: ${loadavg().map((v) => v.toFixed(2)).join(' ')}`);
if (!flag('keep') && argument('dir', '') === '') rmSync(root, { recursive: true, force: true });
