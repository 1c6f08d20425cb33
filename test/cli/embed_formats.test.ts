import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { numpyReadBackAvailable, PYTHON, queryDuckDb } from '../helpers/read_back.js';
import { runCli, temporaryDirectory } from './helpers.js';

/**
 * `--dataset folder:<dir>` and `embed --format bin | npy | parquet`: a tiny autoencoder trained on
 * a folder of PNG files (train/ and test/ splits, class subfolders), its embeddings written in
 * the three formats, the Parquet file read back by DuckDB (ids, labels, values equal to the bin
 * file's), the NPY file by numpy when /usr/bin/python3 has it (never skipped when CI=true).
 */

const root = temporaryDirectory('tfjs-unsupervised-embed-formats-');
const images = path.join(root, 'shapes');
const run = path.join(root, 'run');
const mnistRun = path.join(root, 'mnist-run');
afterAll(() => rmSync(root, { recursive: true, force: true }));

const numpyAvailable = numpyReadBackAvailable('embed_formats.test');

/** Test-split ids in row order: classes sorted, files sorted within each. */
const testIds: string[] = [];

beforeAll(async () => {
  // Three classes of 8 × 8 grey images: a bright band at rows 0-1, 3-4 or 6-7, with noise.
  let seed = 1;
  const noise = (): number => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648) * 40;
  for (const split of ['train', 'test'] as const) {
    for (const [label, name] of ['top', 'middle', 'bottom'].entries()) {
      const count = split === 'train' ? 24 : 5;
      for (let i = 0; i < count; i++) {
        const bytes = Buffer.alloc(64);
        for (let p = 0; p < 64; p++) {
          const row = Math.floor(p / 8);
          bytes[p] = Math.min(255, Math.round((Math.abs(row - 3 * label - 0.5) < 1.5 ? 200 : 20) + noise()));
        }
        const folder = path.join(images, split, name);
        mkdirSync(folder, { recursive: true });
        const file = `${String(i).padStart(2, '0')}.png`;
        await sharp(bytes, { raw: { width: 8, height: 8, channels: 1 } }).toColourspace('b-w').png().toFile(path.join(folder, file));
      }
    }
  }
  for (const name of ['bottom', 'middle', 'top']) for (let i = 0; i < 5; i++) testIds.push(`${name}/${String(i).padStart(2, '0')}.png`);
  const trained = await runCli('train', 'autoencoder', '--dataset', `folder:${images}`, '--epochs', '1', '--layers', '16,4', '--batch-size', '24', '--backend', 'cpu', '--progress', 'none', '--out', run);
  expect(trained.code, trained.stderr).toBe(0);
  expect(trained.stdout).toMatch(/training autoencoder on shapes-train \(72 images, 8x8x1\)/);
  const config = JSON.parse(readFileSync(path.join(run, 'run.json'), 'utf8')) as { dataset: string };
  expect(config.dataset).toBe(`folder:${images}`);
});

/** The bin features of the run's test split (float32 rows). */
async function binFeatures(): Promise<{ values: Float32Array; header: Record<string, unknown> }> {
  const out = path.join(root, 'bin', 'features.bin');
  const result = await runCli('embed', run, '--out', out, '--backend', 'cpu');
  expect(result.code, result.stderr).toBe(0);
  const header = JSON.parse(readFileSync(path.join(root, 'bin', 'features.json'), 'utf8')) as Record<string, unknown>;
  const bytes = readFileSync(out);
  return { values: new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)), header };
}

describe('embed --format on a folder dataset', () => {
  it('bin (the default): float32 rows, int32 labels, the files\' paths as ids', async () => {
    const { values, header } = await binFeatures();
    expect(header).toMatchObject({ rows: 15, cols: 4, fileFormat: 'bin', file: 'features.bin', labels: 'features.labels.bin', ids: 'features.ids.txt', dataset: `folder:${images}` });
    expect(values.length).toBe(15 * 4);
    expect(readFileSync(path.join(root, 'bin', 'features.ids.txt'), 'utf8')).toBe(`${testIds.join('\n')}\n`);
    const labels = readFileSync(path.join(root, 'bin', 'features.labels.bin'));
    expect(Array.from({ length: 15 }, (_, i) => labels.readInt32LE(4 * i))).toEqual([0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2]);
  });

  it('parquet: DuckDB reads id, label and embedding back, equal to the bin file', async () => {
    const { values } = await binFeatures();
    const out = path.join(root, 'parquet', 'features.parquet');
    const result = await runCli('embed', run, '--out', out, '--backend', 'cpu');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/wrote 15 x 4 Parquet \(id, label, embedding\) embeddings of the test split/);
    const header = JSON.parse(readFileSync(path.join(root, 'parquet', 'features.json'), 'utf8')) as Record<string, unknown>;
    expect(header).toMatchObject({ fileFormat: 'parquet', rows: 15, cols: 4 });
    const schema = await queryDuckDb(`DESCRIBE SELECT * FROM read_parquet('${out}')`);
    expect(schema.map((row) => [row.column_name, row.column_type])).toEqual([
      ['id', 'VARCHAR'],
      ['label', 'INTEGER'],
      ['embedding', 'FLOAT[]'],
    ]);
    const rows = (await queryDuckDb(`SELECT id, label, embedding FROM read_parquet('${out}')`)) as Array<{ id: string; label: number; embedding: number[] }>;
    expect(rows.map((row) => row.id)).toEqual(testIds);
    expect(rows.map((row) => row.label)).toEqual([0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2]);
    expect(Float32Array.from(rows.flatMap((row) => row.embedding))).toEqual(values);
  });

  it('npy: a [rows, cols] float32 array equal to the bin file, int32 labels, ids beside it; numpy reads them', async () => {
    const { values } = await binFeatures();
    const out = path.join(root, 'npy', 'features.npy');
    const result = await runCli('embed', run, '--out', out, '--backend', 'cpu');
    expect(result.code, result.stderr).toBe(0);
    const header = JSON.parse(readFileSync(path.join(root, 'npy', 'features.json'), 'utf8')) as Record<string, unknown>;
    expect(header).toMatchObject({ fileFormat: 'npy', file: 'features.npy', labels: 'features.labels.npy', ids: 'features.ids.txt' });
    const bytes = new Uint8Array(readFileSync(out));
    const dataOffset = 10 + bytes[8] + 256 * bytes[9];
    expect(new Float32Array(bytes.slice(dataOffset).buffer)).toEqual(values);
    expect(readFileSync(path.join(root, 'npy', 'features.ids.txt'), 'utf8').trimEnd().split('\n')).toEqual(testIds);
    if (!numpyAvailable) return;
    const script = 'import json, sys, numpy as np\nx = np.load(sys.argv[1]); y = np.load(sys.argv[2])\nprint(json.dumps({"shape": list(x.shape), "dtype": str(x.dtype), "x": x.astype(float).ravel().tolist(), "y": y.tolist(), "ydtype": str(y.dtype)}))';
    const child = spawnSync(PYTHON, ['-c', script, out, path.join(root, 'npy', 'features.labels.npy')], { encoding: 'utf8' });
    expect(child.status, child.stderr).toBe(0);
    const read = JSON.parse(child.stdout) as { shape: number[]; dtype: string; x: number[]; y: number[]; ydtype: string };
    expect(read).toMatchObject({ shape: [15, 4], dtype: 'float32', ydtype: 'int32', y: [0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2] });
    expect(Float32Array.from(read.x)).toEqual(values);
  });

  it('--format overrides the extension; an unknown format is a usage error', async () => {
    const out = path.join(root, 'other', 'features.data');
    const result = await runCli('embed', run, '--out', out, '--format', 'npy', '--backend', 'cpu');
    expect(result.code, result.stderr).toBe(0);
    expect(readFileSync(out).subarray(1, 6).toString('latin1')).toBe('NUMPY');
    expect(existsSync(path.join(root, 'other', 'features.data.json'))).toBe(true);
    const bad = await runCli('embed', run, '--out', out, '--format', 'csv', '--backend', 'cpu');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--format must be one of bin, npy, parquet; got 'csv'/);
  });
});

describe('embed --format parquet without ids of its own: row numbers', () => {
  it('an MNIST run: ids are the row numbers, labels the digits', async () => {
    const trained = await runCli('train', 'autoencoder', '--limit', '64', '--epochs', '1', '--layers', '16,4', '--batch-size', '32', '--backend', 'cpu', '--progress', 'none', '--out', mnistRun);
    expect(trained.code, trained.stderr).toBe(0);
    const out = path.join(root, 'mnist.parquet');
    const result = await runCli('embed', mnistRun, '--out', out, '--limit', '20', '--backend', 'cpu');
    expect(result.code, result.stderr).toBe(0);
    const rows = (await queryDuckDb(`SELECT id, label, len(embedding) AS width FROM read_parquet('${out}')`)) as Array<{ id: string; label: number; width: number }>;
    expect(rows.map((row) => row.id)).toEqual(Array.from({ length: 20 }, (_, i) => String(i)));
    expect(rows.slice(0, 5).map((row) => row.label)).toEqual([7, 2, 1, 0, 4]); // MNIST's first test digits
    expect(rows.every((row) => Number(row.width) === 4)).toBe(true);
  });
});

describe('--dataset folder: specs', () => {
  it('labels=none reads class subfolders as unlabelled images; the options are stored in canonical order', async () => {
    const unlabelled = path.join(root, 'unlabelled-run');
    const trained = await runCli('train', 'autoencoder', '--dataset', `folder:${images}?labels=none&channels=1&size=8x8`, '--epochs', '1', '--layers', '64,4', '--backend', 'cpu', '--progress', 'none', '--out', unlabelled);
    expect(trained.code, trained.stderr).toBe(0);
    const config = JSON.parse(readFileSync(path.join(unlabelled, 'run.json'), 'utf8')) as { dataset: string };
    expect(config.dataset).toBe(`folder:${images}?size=8x8&channels=1&labels=none`);
    const out = path.join(root, 'unlabelled.parquet');
    const result = await runCli('embed', unlabelled, '--out', out, '--backend', 'cpu');
    expect(result.code, result.stderr).toBe(0);
    const rows = await queryDuckDb(`SELECT id, label FROM '${out}'`);
    expect(rows.map((row) => row.id)).toEqual(testIds);
    expect(rows.every((row) => row.label === null)).toBe(true);
  });


  it('size and strict travel in the spec (train --image-size, --strict); a corrupt file with --strict is a usage error naming it', async () => {
    const broken = path.join(root, 'broken');
    mkdirSync(path.join(broken, 'a'), { recursive: true });
    await sharp(Buffer.alloc(16, 100), { raw: { width: 4, height: 4, channels: 1 } }).toColourspace('b-w').png().toFile(path.join(broken, 'a', 'ok.png'));
    writeFileSync(path.join(broken, 'a', 'zz.png'), 'not a png');
    const strict = await runCli('train', 'autoencoder', '--dataset', `folder:${broken}`, '--strict', '--image-size', '6', '--epochs', '1', '--backend', 'cpu', '--out', path.join(root, 'strict-run'));
    expect(strict.code).toBe(2);
    expect(strict.stderr).toMatch(/Cannot load the train split of folder:.*broken\?size=6x6&strict: loadImageFolder: cannot decode .*a\/zz\.png/);
    const notFolder = await runCli('train', 'autoencoder', '--strict', '--backend', 'cpu', '--out', path.join(root, 'x'));
    expect(notFolder.code).toBe(2);
    expect(notFolder.stderr).toMatch(/--strict applies to --dataset folder:<dir> only/);
    const badOption = await runCli('train', 'autoencoder', '--dataset', `folder:${broken}?size=big`, '--backend', 'cpu', '--out', path.join(root, 'y'));
    expect(badOption.code).toBe(2);
    expect(badOption.stderr).toMatch(/size must be HEIGHTxWIDTH of positive integers, e\.g\. size=64x64; got 'big'/);
    const badLabels = await runCli('train', 'autoencoder', '--dataset', `folder:${broken}?labels=classes`, '--backend', 'cpu', '--out', path.join(root, 'w'));
    expect(badLabels.code).toBe(2);
    expect(badLabels.stderr).toMatch(/labels must be subfolders or none; got 'classes'/);
    const empty = path.join(root, 'empty-folder');
    mkdirSync(empty);
    const none = await runCli('train', 'autoencoder', '--dataset', `folder:${empty}`, '--backend', 'cpu', '--out', path.join(root, 'z'));
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/no image files in .*empty-folder .*the folder is empty/);
  });
});
