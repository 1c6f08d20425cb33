import { readRecords, recordFiles, recordWindow, resolveDataDirectory } from './binary_records.js';
import type { ImageDataset, LabelledImageDataset } from './dataset.js';

/** A split of STL-10: 5 000 labelled training images, 8 000 labelled test images, 100 000 unlabelled. */
export type Stl10Split = 'train' | 'test' | 'unlabeled';

/** Options of {@link loadStl10}. */
export interface LoadStl10Options {
  /**
   * Folder with the binary version's files (`train_X.bin`, `train_y.bin`, `test_X.bin`,
   * `test_y.bin`, `unlabeled_X.bin`), or the folder `stl10_binary.tar.gz` was extracted into
   * (holding `stl10_binary/`). Required: STL-10 is not shipped with the library.
   */
  directory: string;
  /** Which split. Default `'train'`. */
  split?: Stl10Split;
  /**
   * Most images to return (fewer when the split ends first). Default: all after `offset`. The
   * unlabelled split is 100 000 images of 96×96×3, 11 GB as float32: set a limit.
   */
  limit?: number;
  /** First image of the split. Default 0. */
  offset?: number;
}

/** Side of an STL-10 image. */
const SIDE = 96;
/** Bytes of one STL-10 image: three 96×96 planes (R, G, B). */
export const STL10_IMAGE_BYTES = 3 * SIDE * SIDE;

/** STL-10's class names, by label (0-based; the files store 1–10). */
export const STL10_CLASSES: readonly string[] = ['airplane', 'bird', 'car', 'cat', 'deer', 'dog', 'horse', 'monkey', 'ship', 'truck'];

const FILES: Record<Stl10Split, { images: string; labels?: string }> = {
  train: { images: 'train_X.bin', labels: 'train_y.bin' },
  test: { images: 'test_X.bin', labels: 'test_y.bin' },
  unlabeled: { images: 'unlabeled_X.bin' },
};

/** The labelled splits give labelled datasets. */
export function loadStl10(options: LoadStl10Options & { split?: 'train' | 'test' }): Promise<LabelledImageDataset>;
/** The unlabelled split gives a dataset without labels. */
export function loadStl10(options: LoadStl10Options & { split: 'unlabeled' }): Promise<ImageDataset>;
export function loadStl10(options: LoadStl10Options): Promise<ImageDataset>;
/**
 * STL-10 (Coates, Lee & Ng 2011) from its binary version in a user directory, as an
 * {@link ImageDataset} of 96×96×3 images (NHWC, values byte/255 in [0, 1]) in the files' order.
 * The `'train'` and `'test'` splits carry labels 0–9 ({@link STL10_CLASSES}; the label files
 * store 1–10); the `'unlabeled'` split has none (`labels` is absent). Each image is stored as its
 * red, green and blue planes, each 96×96 in column-major order (as MATLAB writes them); they are
 * transposed and interleaved into row-major HWC here. Only the requested rows are read.
 *
 * @throws when the directory or a file of the split is missing, the image file's size is not a
 *   multiple of 27 648 bytes, the label file's byte count differs from the image count, a label is
 *   outside 1–10, or `offset` / `limit` are outside the split.
 *
 * @example
 * ```ts
 * const unlabeled = await loadStl10({ directory: '/data/stl10_binary', split: 'unlabeled', limit: 20000 });
 * const test = await loadStl10({ directory: '/data/stl10_binary', split: 'test' });
 * ```
 */
export async function loadStl10(options: LoadStl10Options): Promise<ImageDataset> {
  const { split = 'train', offset = 0, limit } = options ?? ({} as LoadStl10Options);
  const context = `loadStl10 (${String(split)} split)`;
  const names = FILES[split];
  if (names === undefined) throw new Error(`loadStl10: split must be 'train', 'test' or 'unlabeled', got '${String(split)}'.`);
  if (options?.directory === undefined) throw new Error('loadStl10: options.directory is required (the folder of train_X.bin, test_X.bin, ...).');
  const folder = resolveDataDirectory(options.directory, 'stl10_binary', names.images, context);
  const [imageFile] = recordFiles(folder, [names.images], STL10_IMAGE_BYTES, context, 'STL-10 images of 3×96×96 bytes');
  let labelFile: string | undefined;
  if (names.labels !== undefined) {
    const [labels] = recordFiles(folder, [names.labels], 1, context, 'one label byte per image');
    if (labels.records !== imageFile.records) {
      throw new Error(`${context}: ${labels.file} holds ${labels.records} labels but ${imageFile.file} holds ${imageFile.records} images.`);
    }
    labelFile = labels.file;
  }
  const window = recordWindow(imageFile.records, offset, limit, context);
  const plane = SIDE * SIDE;
  const images = new Float32Array(window.size * 3 * plane);
  await readRecords(imageFile.file, STL10_IMAGE_BYTES, window.offset, window.size, (record, index) => {
    const base = index * 3 * plane;
    for (let c = 0; c < 3; c++) {
      const source = c * plane;
      // Column-major plane: byte x·96 + y is row y, column x.
      for (let x = 0; x < SIDE; x++) {
        for (let y = 0; y < SIDE; y++) images[base + 3 * (y * SIDE + x) + c] = record[source + x * SIDE + y] / 255;
      }
    }
  });
  const dataset: ImageDataset = { images, shape: [SIDE, SIDE, 3], size: window.size, name: `stl10-${split}` };
  if (labelFile !== undefined) {
    const labels = new Int32Array(window.size);
    const file = labelFile;
    await readRecords(file, 1, window.offset, window.size, (record, index) => {
      const label = record[0];
      if (label < 1 || label > 10) throw new Error(`${context}: ${file} byte ${window.offset + index} is label ${label}, not 1–10.`);
      labels[index] = label - 1;
    });
    dataset.labels = labels;
  }
  return dataset;
}
