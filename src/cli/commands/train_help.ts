/**
 * The `train` command's flags and help: the options shared by every method, `--help` (with each
 * method's options and recipes), and how a run's settings and recipes read as flags.
 */
import type { CommandHelp, OptionSpec } from '../args.js';
import { DATASET_FORMS } from '../datasets.js';
import { METHOD_NAMES, METHODS } from '../method_registry.js';
import type { MethodEntry, Recipe, RecipeName } from '../method_registry.js';
import { DEFAULT_KEEP_CHECKPOINTS } from '../run_directory.js';
import type { RunConfig } from '../run_directory.js';
import { BACKEND_OPTION } from './backend.js';

/** The flags of `train` shared by every method. */
export const TRAIN_OPTIONS: OptionSpec[] = [
  { name: 'dataset', kind: 'string', placeholder: 'SPEC', description: `training data: ${DATASET_FORMS}`, default: 'mnist' },
  { name: 'image-size', kind: 'string', placeholder: 'HxW', description: 'folder: datasets: resize every image to HxW (short side, centre crop; default: the first image\'s size)' },
  { name: 'strict', kind: 'boolean', description: 'folder: datasets: a file that cannot be decoded is an error (default: skipped with a warning)' },
  { name: 'epochs', kind: 'integer', min: 1, description: "epochs in all (default: the method's; on --resume, the run's)" },
  { name: 'batch-size', kind: 'integer', min: 1, description: "mini-batch size (default: the method's)" },
  { name: 'limit', kind: 'integer', min: 1, description: 'use the first N training images (default: all)' },
  { name: 'seed', kind: 'integer', min: 0, description: 'seed of weights, shuffling and augmentations', default: 0 },
  { name: 'learning-rate', kind: 'number', min: 0, exclusiveMin: true, description: "Adam learning rate (default: the method's)" },
  { name: 'steps-per-epoch', kind: 'integer', min: 1, description: 'end each epoch after N steps (quick runs; default: the whole dataset)' },
  { name: 'paper', kind: 'boolean', description: "the paper's exact setting as defaults (default: the method's CPU or GPU recipe, by backend)" },
  BACKEND_OPTION,
  { name: 'out', kind: 'string', placeholder: 'DIR', description: 'run directory', default: 'runs/<method>' },
  { name: 'resume', kind: 'boolean', description: 'continue the run in --out from its newest checkpoint that verifies' },
  { name: 'overwrite', kind: 'boolean', description: "delete the run in --out (only the run's own files) and start over" },
  {
    name: 'keep-checkpoints',
    kind: 'integer',
    min: 1,
    description: `complete checkpoints to keep, newest first (a damaged one falls back to the one before; default ${DEFAULT_KEEP_CHECKPOINTS}; on --resume, the run's)`,
  },
  { name: 'progress', kind: 'string', choices: ['auto', 'bar', 'lines', 'none'], description: 'progress display (auto: a bar on a TTY, lines otherwise)', default: 'auto' },
];

/** `--help` of `train`, or of `train <method>` (only that method's options). */
export function trainHelp(method?: MethodEntry): CommandHelp {
  const entries = method ? [method] : Object.values(METHODS);
  return {
    usage: method ? `train ${method.name} [options]` : 'train <method> [options]',
    summary: method
      ? `Train ${method.name}: ${method.summary}. Defaults: ${method.defaults.epochs === undefined ? '' : `--epochs ${method.defaults.epochs}, `}--batch-size ${method.defaults.batchSize}${describeRecipes(method)}.`
      : `Train an unsupervised method into a run directory (metrics.jsonl, a checkpoint after every epoch).\nMethods: ${METHOD_NAMES.join(', ')}.`,
    options: TRAIN_OPTIONS,
    groups: entries.map((e) => ({ title: `${e.name} options`, options: e.options })),
    details: [
      'Every epoch appends a line to <out>/metrics.jsonl and writes <out>/checkpoints/epoch-N atomically',
      '(older ones beyond --keep-checkpoints are removed only once the new one is complete). --resume continues',
      'from the newest checkpoint that verifies: with the same flags it ends with the same weights as an',
      'uninterrupted run. Stop a run with Ctrl-C or SIGTERM (not kill -9 unless needed: it leaves the lock for',
      'the next run to take over); completed epochs are kept, and --resume continues.',
      method?.name === 'filter-distinguisher' ? 'filter-distinguisher trains its levels one after another; --epochs only sets --samples-per-level.' : '',
      '',
      'Examples:',
      '  tfjs-unsupervised train autoencoder --limit 20000 --epochs 4 --out runs/ae',
      '  tfjs-unsupervised train iic --backbone small --epochs 2 --out runs/iic',
      '  tfjs-unsupervised train autoencoder --out runs/ae --epochs 8 --resume',
    ]
      .filter((line, i, all) => line !== '' || all[i - 1] !== '')
      .join('\n'),
  };
}

/** The recipes of a method for help: what each changes from the defaults listed. */
function describeRecipes(entry: MethodEntry): string {
  const names = Object.keys(entry.recipes ?? {}) as RecipeName[];
  if (names.length === 0) return '';
  const parts = names.map((name) => `${name === 'paper' ? '--paper' : `on a ${name.toUpperCase()} backend`}: ${recipeFlags(entry.recipes![name]!).join(' ') || 'these defaults'}`);
  return `; over these, ${parts.join('; ')}`;
}

/** A recipe as the flags it sets, e.g. `['--epochs 12', '--backbone small']`. */
export function recipeFlags(recipe: Recipe): string[] {
  const flags: string[] = [];
  if (recipe.epochs !== undefined) flags.push(`--epochs ${recipe.epochs}`);
  if (recipe.batchSize !== undefined) flags.push(`--batch-size ${recipe.batchSize}`);
  if (recipe.learningRate !== undefined) flags.push(`--learning-rate ${recipe.learningRate}`);
  for (const [name, value] of Object.entries(recipe.options ?? {})) flags.push(value === true ? `--${name}` : `--${name} ${String(value)}`);
  return flags;
}

/** Words of `text` in lines of at most `width` characters (a longer word gets a line of its own). */
export function wrapText(text: string, width: number): string[] {
  const lines: string[] = [];
  for (const word of text.split(' ')) {
    const last = lines.length - 1;
    if (last >= 0 && lines[last].length + 1 + word.length <= width) lines[last] += ` ${word}`;
    else lines.push(word);
  }
  return lines;
}

/** The settings a run trains with: epochs, batch, learning rate and method flags, as flags. */
export function describeSettings(config: RunConfig): string {
  const options = Object.entries(config.methodOptions).map(([name, value]) => (value === true ? `--${name}` : `--${name} ${String(value)}`));
  return [...(config.epochs === null ? [] : [`--epochs ${config.epochs}`]), `--batch-size ${config.batchSize}`, `--learning-rate ${config.learningRate ?? "(the method's)"}`, ...options].join(' ');
}
