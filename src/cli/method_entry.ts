/**
 * What the CLI knows of one method (a {@link MethodEntry}: how to build it from flags, load it,
 * train it towards a target) and the functions that work on one entry: flags checked and
 * resolved against its specs and recipes, training towards the target. The registry of all
 * methods is `method_registry.ts`.
 */
import type { ImageDataset } from '../data/dataset.js';
import { iicViewsForShape } from '../data/augment/iic_views.js';
import type { IicViewOptions } from '../data/augment/iic_views.js';
import type { VggConfigInput } from '../nn/vgg.js';
import type { EpochLogs, FitDefaults, FitOptions, RecipeName, TrainingRecipe, UnsupervisedMethod } from '../train/unsupervised_method.js';
import type { OptionTable } from '../train/option_table.js';
import { convertOption } from './args.js';
import type { OptionSpec, OptionValue } from './args.js';
import { CliUsageError } from './io.js';

/** The methods built into the CLI. */
export type BuiltInMethodName = 'autoencoder' | 'filter-distinguisher' | 'relational-reasoning' | 'iic' | 'mine' | 'deepcluster';

/** The CLI's method names: the built-in ones and those added by `registerMethod`. */
export type MethodName = BuiltInMethodName | (string & {});

/** A method the CLI can train, checkpoint and evaluate. */
export type TrainableMethod = UnsupervisedMethod<ImageDataset>;

/** Method options after defaults: flag name → value. */
export type MethodOptionValues = Record<string, OptionValue>;

/**
 * A named set of training defaults (see the method module's recipes, e.g. `IIC_RECIPES`): `'cpu'`
 * is used when the backend runs on a CPU, `'gpu'` on a GPU backend, `'paper'` on `train --paper`.
 * Flags given on the command line win.
 */
export type { RecipeName };

/** A method module's recipe in flags (what {@link recipesAsFlags} makes of it). */
export interface Recipe {
  /** One line: what the recipe is and why (printed at the start of `train`). */
  note: string;
  epochs?: number;
  batchSize?: number;
  learningRate?: number;
  /** Method flags by name, e.g. `{ backbone: 'small' }`. */
  options?: MethodOptionValues;
}

/** What {@link MethodEntry.create} gets. */
export interface MethodContext {
  seed: number;
  /** Shape of the training images [height, width, channels]. */
  shape: [number, number, number];
  /** The method's options, defaults applied (as the `train` command resolves them from its flags). */
  options: MethodOptionValues;
}

/** One method of the registry. */
export interface MethodEntry<M extends TrainableMethod = TrainableMethod> {
  name: MethodName;
  /** The class's `name` (also the `method` of its saved JSON), e.g. `'Autoencoder'`. */
  className: string;
  /** One line for help. */
  summary: string;
  /**
   * `--epochs` and `--batch-size` when not given: the class's own `fitDefaults` (read from the
   * constant the method module exports, e.g. `AUTOENCODER_FIT_DEFAULTS`, never a copy of its
   * numbers). `epochs` is `undefined` only for a method that is not {@link epochBased}.
   */
  defaults: Pick<FitDefaults, 'epochs' | 'batchSize'>;
  /**
   * Training recipes over the class's defaults, by name (see {@link RecipeName}); a method without
   * a recipe of that name trains with its class's defaults.
   */
  recipes?: Partial<Record<RecipeName, Recipe>>;
  /** Method-specific flags. */
  options: OptionSpec[];
  /** Whether `--epochs` counts the method's epochs (false: it trains in stages, see `fit`). */
  epochBased: boolean;
  /** Builds an untrained method for images of `context.shape`. */
  create(context: MethodContext): M;
  /** Loads a method saved by its `save` (e.g. a checkpoint's `model/`). */
  load(directory: string): Promise<M>;
  /** Cluster ids of a dataset, for methods that cluster (absent: evaluate with k-means on embeddings). */
  predict?(method: M, dataset: ImageDataset): Promise<Int32Array>;
  /**
   * Trains towards `epochs` epochs in all (continuing from `method.epochsTrained`; `null` for a
   * method that is not epoch-based and was given no `--epochs`). Default: `method.fit` for the
   * remaining epochs.
   */
  fit?(method: M, dataset: ImageDataset, fitOptions: FitOptions, epochs: number | null, options: MethodOptionValues): Promise<EpochLogs[]>;
  /** Whether training has reached its target. Default: `epochsTrained ≥ epochs`. */
  isComplete?(method: M, epochs: number | null): boolean;
  /**
   * Fills in options whose default depends on the run (e.g. a per-level budget from `--epochs`),
   * so that run.json records the values used.
   */
  resolve?(options: MethodOptionValues, run: { epochs: number | undefined; trainImages: number }): MethodOptionValues;
}

/** An entry of a concrete method class as an entry of the registry's element type. */
export function defineMethod<M extends TrainableMethod>(entry: MethodEntry<M>): MethodEntry {
  return entry as unknown as MethodEntry;
}

/** A VGG config from `--backbone`: a named config (`F`, `small`) or a list such as `16,M,32,M,64`. */
export function parseVggBackbone(text: string, command = 'train'): VggConfigInput {
  if (text === 'F' || text === 'small') return text;
  const parts = text.split(',').map((p) => p.trim());
  if (parts.length === 0 || parts.some((p) => p !== 'M' && !/^\d+$/.test(p)) || parts.every((p) => p === 'M') || parts.some((p) => p === '0')) {
    throw new CliUsageError(`--backbone must be F, small, or a list of channel counts and M (max-pool), e.g. 16,M,32; got '${text}'.`, command);
  }
  return parts.map((p) => (p === 'M' ? 'M' : Number(p)));
}

/**
 * IIC's MNIST views scaled to images of another side (the methods now choose them themselves when
 * given none; kept for the CLI's callers): see {@link iicViewsForShape}.
 */
export const viewsForShape: (shape: [number, number, number]) => IicViewOptions = iicViewsForShape;

/**
 * Checks that every given flag belongs to the method and converts text values by the method's
 * specs (so `'10'` becomes 10 for an integer flag).
 *
 * @throws {@link CliUsageError} for a flag of another method, or a value of the wrong kind.
 */
export function normalizeMethodOptions(entry: MethodEntry, given: MethodOptionValues, command = 'train'): MethodOptionValues {
  const specs = new Map(entry.options.map((o) => [o.name, o]));
  const foreign = Object.keys(given).filter((k) => !specs.has(k));
  if (foreign.length > 0) {
    const list = entry.options.map((o) => `--${o.name}`).join(', ') || 'none';
    throw new CliUsageError(`${foreign.map((f) => `--${f}`).join(', ')} ${foreign.length > 1 ? 'do' : 'does'} not apply to ${entry.name} (its options: ${list}).`, command);
  }
  const out: MethodOptionValues = {};
  for (const [name, value] of Object.entries(given)) {
    const spec = specs.get(name)!;
    out[name] = convertOption(spec, typeof value === 'boolean' ? value : String(value), command);
  }
  return out;
}

/**
 * A method's flags, generated from its module's option table (flag, kind, range or choices, help;
 * in table order): each flag's default is the value of its option in `defaults` (the class's own:
 * its defaults constant or resolved configuration) when that is a flag value (a string, number or
 * boolean), and `checks` adds a further check by option name.
 */
export function optionSpecs<TOptions>(table: OptionTable<TOptions>, defaults: object, checks: { [K in keyof TOptions & string]?: OptionSpec['check'] } = {}): OptionSpec[] {
  const values = defaults as Record<string, unknown>;
  return Object.entries(table).map(([option, row]) => {
    const { flag, ...rest } = row as NonNullable<OptionTable<TOptions>[keyof TOptions & string]>;
    const value = values[option];
    const spec: OptionSpec = { name: flag, ...rest };
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') spec.default = value;
    const check = checks[option as keyof TOptions & string];
    if (check !== undefined) spec.check = check;
    return spec;
  });
}

/** The flag of each option of a module's option table (e.g. for {@link recipesAsFlags}). */
export function flagsOf<TOptions>(table: OptionTable<TOptions>): { [K in keyof TOptions & string]?: string } {
  return Object.fromEntries(Object.entries(table).map(([option, row]) => [option, (row as { flag: string }).flag])) as { [K in keyof TOptions & string]?: string };
}

/**
 * A method module's recipes (constructor options by name) as the CLI's (flags by name), through
 * `flags`: the flag of each option.
 *
 * @throws when a recipe sets an option that has no flag, or a value a flag cannot take.
 */
export function recipesAsFlags<TOptions>(recipes: Partial<Record<RecipeName, TrainingRecipe<TOptions>>>, flags: Partial<Record<keyof TOptions, string>>): Partial<Record<RecipeName, Recipe>> {
  const out: Partial<Record<RecipeName, Recipe>> = {};
  for (const [name, recipe] of Object.entries(recipes) as Array<[RecipeName, TrainingRecipe<TOptions>]>) {
    const { options, ...rest } = recipe;
    const converted: MethodOptionValues = {};
    for (const [option, value] of Object.entries(options ?? {})) {
      const flag = flags[option as keyof TOptions];
      if (flag === undefined) throw new Error(`The ${name} recipe sets ${option}, which has no flag.`);
      if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') throw new Error(`The ${name} recipe's ${option} is not a flag value: ${JSON.stringify(value)}.`);
      converted[flag] = value;
    }
    out[name] = options === undefined ? { ...rest } : { ...rest, options: converted };
  }
  return out;
}

/**
 * The recipe a run of `entry` trains with: `'paper'` when asked for, else `'gpu'` on a GPU
 * backend and `'cpu'` otherwise; `undefined` when the method has no such recipe (its class's
 * defaults apply).
 */
export function chooseRecipe(entry: MethodEntry, device: 'cpu' | 'gpu', paper = false): { name: RecipeName; recipe: Recipe } | undefined {
  const name: RecipeName = paper ? 'paper' : device;
  const recipe = entry.recipes?.[name];
  return recipe === undefined ? undefined : { name, recipe };
}

/**
 * The method's options: the given flags over the recipe's options (if any) over its defaults
 * (flags without a default stay absent unless given).
 */
export function resolveMethodOptions(entry: MethodEntry, given: MethodOptionValues, recipe?: Recipe): MethodOptionValues {
  const out: MethodOptionValues = {};
  for (const spec of entry.options) {
    const value = given[spec.name] ?? recipe?.options?.[spec.name] ?? spec.default;
    if (value !== undefined) out[spec.name] = value;
  }
  return out;
}

/** Trains `method` towards `epochs` epochs in all, with the entry's own `fit` when it has one. */
export function fitMethod(entry: MethodEntry, method: TrainableMethod, dataset: ImageDataset, fitOptions: FitOptions, epochs: number | null, options: MethodOptionValues): Promise<EpochLogs[]> {
  if (entry.fit !== undefined) return entry.fit(method, dataset, fitOptions, epochs, options);
  return method.fit(dataset, { ...fitOptions, epochs: Math.max(0, requireEpochs(entry, epochs) - method.epochsTrained) });
}

/** Whether `method` has reached its training target. */
export function isTrainingComplete(entry: MethodEntry, method: TrainableMethod, epochs: number | null): boolean {
  return entry.isComplete !== undefined ? entry.isComplete(method, epochs) : method.epochsTrained >= requireEpochs(entry, epochs);
}

/** The epoch target of an epoch-based method (which its entry's defaults always give). */
function requireEpochs(entry: MethodEntry, epochs: number | null): number {
  if (epochs === null) throw new Error(`${entry.name}: the run has no epoch target; an epoch-based method needs defaults.epochs or --epochs.`);
  return epochs;
}
