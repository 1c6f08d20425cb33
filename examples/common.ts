/**
 * What every example shares: the `--epochs`, `--limit`, `--seed`, `--backend` flags, the
 * backend line printed first, a table, and the final `RESULT {json}` line.
 */
import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';

import { BACKEND_NAMES, formatBackendInfo, initBackend } from '../src/backend/init_backend.js';
import type { LabelledImageDataset } from '../src/data/dataset.js';
import { loadMnist } from '../src/data/mnist.js';
import type { BackendInfo } from '../src/backend/init_backend.js';

/** The flags every example accepts. */
export interface ExampleArguments {
  epochs: number;
  /** Number of training images (undefined: all). */
  limit: number | undefined;
  seed: number;
  backend: BackendInfo;
  /** Extra flags of the example, as strings or booleans. */
  extra: Record<string, string | boolean | undefined>;
}

function positiveInteger(name: string, value: string | undefined, allowZero = false): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < (allowZero ? 0 : 1)) {
    console.error(`--${name} must be a ${allowZero ? 'non-negative' : 'positive'} integer, got '${value}'.`);
    process.exit(2);
  }
  return n;
}

/**
 * Parses the common flags (plus `extraOptions`), starts the backend and prints it.
 * Exits with code 2 and a message on a bad flag.
 */
export async function startExample(
  title: string,
  defaults: { epochs: number; limit?: number },
  extraOptions: ParseArgsConfig['options'] = {},
): Promise<ExampleArguments> {
  let parsed;
  try {
    parsed = parseArgs({
      options: {
        epochs: { type: 'string' },
        limit: { type: 'string' },
        seed: { type: 'string' },
        backend: { type: 'string' },
        help: { type: 'boolean' },
        ...extraOptions,
      },
      allowPositionals: false,
    });
  } catch (error) {
    console.error(`${(error as Error).message}\nFlags: --epochs N --limit N --seed N --backend ${BACKEND_NAMES.join('|')} ${Object.keys(extraOptions ?? {}).map((k) => `--${k}`).join(' ')}`);
    process.exit(2);
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  if (values.help) {
    console.log(`${title}\nFlags: --epochs N (default ${defaults.epochs}) --limit N (training images${defaults.limit ? `, default ${defaults.limit}` : ', default all'}) --seed N (default 0) --backend ${BACKEND_NAMES.join('|')} ${Object.keys(extraOptions ?? {}).map((k) => `--${k}`).join(' ')}`);
    process.exit(0);
  }
  const epochs = positiveInteger('epochs', values.epochs as string | undefined, true) ?? defaults.epochs;
  const limit = positiveInteger('limit', values.limit as string | undefined) ?? defaults.limit;
  const seed = positiveInteger('seed', values.seed as string | undefined, true) ?? 0;
  let backend: BackendInfo;
  try {
    backend = await initBackend({ backend: values.backend as string | undefined });
  } catch (error) {
    console.error((error as Error).message);
    process.exit(2);
  }
  console.log(`${title}`);
  console.log(formatBackendInfo(backend));
  console.log(`epochs ${epochs}, limit ${limit ?? 'all'}, seed ${seed}`);
  const { epochs: _e, limit: _l, seed: _s, backend: _b, help: _h, ...extra } = values;
  return { epochs, limit, seed, backend, extra };
}

/** Prints rows as an aligned table with a header. */
export function printTable(rows: Array<Record<string, string | number>>): void {
  if (rows.length === 0) return;
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const format = (v: string | number | undefined) => (v === undefined ? '' : typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toFixed(4)) : v);
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => format(r[c]).length)));
  const line = (cells: string[]) => cells.map((cell, i) => cell.padEnd(widths[i])).join('  ').trimEnd();
  console.log(line(columns));
  console.log(line(widths.map((w) => '-'.repeat(w))));
  for (const row of rows) console.log(line(columns.map((c) => format(row[c]))));
}

/** Prints the final machine-readable line: `RESULT {json}`. Numbers are rounded to 4 decimals. */
export function printResult(result: Record<string, unknown>): void {
  const rounded = JSON.stringify(result, (_key, value: unknown) => (typeof value === 'number' && !Number.isInteger(value) ? Number(value.toFixed(4)) : value));
  console.log(`RESULT ${rounded}`);
}

/** Prints `message` and exits with code 2 (a usage error). */
export function exitWithUsage(message: string): never {
  console.error(message);
  process.exit(2);
}

/** The number given to `--name`, or `fallback` when absent; exits with code 2 when it is not a finite number. */
export function numberFlag(args: ExampleArguments, name: string, fallback: number): number {
  const text = args.extra[name];
  if (text === undefined) return fallback;
  const value = Number(text);
  if (typeof text !== 'string' || !Number.isFinite(value)) exitWithUsage(`--${name} must be a number, got '${String(text)}'.`);
  return value;
}

/** The MNIST training split's size. */
const MNIST_TRAINING_IMAGES = 60000;

/**
 * The MNIST training images split for choosing hyperparameters: `validation` is the last
 * `--validation` images of the 60k (default `defaultValidation`; 0: none), never trained on;
 * `train` the first `--limit` of the rest (default all of them). Exits with code 2 when
 * `--validation` is not an integer in [0, 60000) or `--limit` reaches into the validation split.
 */
export async function loadMnistWithValidation(
  args: ExampleArguments,
  defaultValidation = 5000,
): Promise<{ train: LabelledImageDataset; validation: LabelledImageDataset | undefined; validationSize: number }> {
  const validationSize = numberFlag(args, 'validation', defaultValidation);
  if (!Number.isInteger(validationSize) || validationSize < 0 || validationSize >= MNIST_TRAINING_IMAGES) {
    exitWithUsage(`--validation must be an integer from 0 to ${MNIST_TRAINING_IMAGES - 1} (training images held out), got ${validationSize}.`);
  }
  const trainingImages = MNIST_TRAINING_IMAGES - validationSize;
  if (args.limit !== undefined && args.limit > trainingImages) {
    exitWithUsage(`--limit ${args.limit} is more than the ${trainingImages} training images left beside the validation split of ${validationSize}; lower --limit or --validation.`);
  }
  const train = await loadMnist({ split: 'train', limit: args.limit ?? trainingImages });
  const validation = validationSize > 0 ? await loadMnist({ split: 'train', offset: trainingImages }) : undefined;
  return { train, validation, validationSize };
}
