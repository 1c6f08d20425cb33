import { readRecords, recordFiles, recordWindow, resolveDataDirectory } from './binary_records.js';
import type { LabelledImageDataset } from './dataset.js';

/** Options of {@link loadCifar10}. */
export interface LoadCifar10Options {
  /**
   * Folder with the binary version's files (`data_batch_1.bin` … `data_batch_5.bin`,
   * `test_batch.bin`), or the folder the archive `cifar-10-binary.tar.gz` was extracted into
   * (holding `cifar-10-batches-bin/`). Required: CIFAR-10 is not shipped with the library.
   */
  directory: string;
  /** `'train'` (50 000 images, the five data batches in order) or `'test'` (10 000). Default `'train'`. */
  split?: 'train' | 'test';
  /** Most images to return (fewer when the split ends first). Default: all after `offset`. */
  limit?: number;
  /** First image of the split. Default 0. */
  offset?: number;
}

/** Bytes of one CIFAR-10 record: a label byte, then 32·32 red, 32·32 green, 32·32 blue bytes. */
export const CIFAR10_RECORD_BYTES = 1 + 3 * 32 * 32;

/** CIFAR-10's class names, by label. */
export const CIFAR10_CLASSES: readonly string[] = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];

const FILES = {
  train: ['data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin'],
  test: ['test_batch.bin'],
} as const;

/**
 * CIFAR-10 (Krizhevsky 2009) from its binary version in a user directory, as a
 * {@link LabelledImageDataset} of 32×32×3 images (NHWC, values byte/255 in [0, 1]) with labels
 * 0–9 ({@link CIFAR10_CLASSES}), in the files' order. Each file is a sequence of 3073-byte records:
 * one label byte, then the red, green and blue planes of 32×32 bytes each, row-major; they are
 * interleaved into HWC here. Only the requested rows are read.
 *
 * @throws when the directory or a file of the split is missing, a file's size is not a multiple
 *   of 3073 bytes, a label is above 9, or `offset` / `limit` are outside the split.
 *
 * @example
 * ```ts
 * const train = await loadCifar10({ directory: '/data/cifar-10-batches-bin', limit: 10000 });
 * ```
 */
export async function loadCifar10(options: LoadCifar10Options): Promise<LabelledImageDataset> {
  const { split = 'train', offset = 0, limit } = options ?? ({} as LoadCifar10Options);
  const context = `loadCifar10 (${String(split)} split)`;
  if (split !== 'train' && split !== 'test') throw new Error(`loadCifar10: split must be 'train' or 'test', got '${String(split)}'.`);
  if (options?.directory === undefined) throw new Error('loadCifar10: options.directory is required (the folder of data_batch_*.bin and test_batch.bin).');
  const folder = resolveDataDirectory(options.directory, 'cifar-10-batches-bin', FILES[split][0], context);
  const files = recordFiles(folder, FILES[split], CIFAR10_RECORD_BYTES, context, 'CIFAR-10 records of 1 label byte + 3072 pixel bytes');
  const total = files.reduce((n, f) => n + f.records, 0);
  const window = recordWindow(total, offset, limit, context);
  const pixels = 32 * 32;
  const images = new Float32Array(window.size * 3 * pixels);
  const labels = new Int32Array(window.size);
  let fileStart = 0;
  let row = 0;
  for (const { file, records } of files) {
    const from = Math.max(window.offset, fileStart);
    const to = Math.min(window.offset + window.size, fileStart + records);
    if (from < to) {
      await readRecords(file, CIFAR10_RECORD_BYTES, from - fileStart, to - from, (record, index) => {
        const label = record[0];
        if (label > 9) throw new Error(`${context}: ${file} record ${from - fileStart + index} has label ${label}, not 0–9; is this the CIFAR-10 binary version (CIFAR-100 records have 2 label bytes)?`);
        labels[row] = label;
        const base = row * 3 * pixels;
        for (let p = 0; p < pixels; p++) {
          images[base + 3 * p] = record[1 + p] / 255;
          images[base + 3 * p + 1] = record[1 + pixels + p] / 255;
          images[base + 3 * p + 2] = record[1 + 2 * pixels + p] / 255;
        }
        row++;
      });
    }
    fileStart += records;
  }
  return { images, labels, shape: [32, 32, 3], size: window.size, name: `cifar10-${split}` };
}
