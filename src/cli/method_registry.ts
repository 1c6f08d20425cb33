/**
 * The methods the CLI knows, by name: how to build one from flags for a dataset, load one from a
 * checkpoint, train it towards a target, and whether it assigns clusters itself (the entry type
 * and the functions on one entry: method_entry.ts). Adding a method to the CLI is one entry in
 * {@link METHODS}, or {@link registerMethod} from outside.
 */
import { Autoencoder, AUTOENCODER_FIT_DEFAULTS, AUTOENCODER_OPTION_TABLE, resolveAutoencoderConfig } from '../methods/autoencoder.js';
import { DEEP_CLUSTER_DEFAULT_BACKBONE, DEEP_CLUSTER_FIT_DEFAULTS, DEEP_CLUSTER_OPTION_TABLE, DeepCluster, resolveDeepClusterConfig } from '../methods/deep_cluster.js';
import { FILTER_DISTINGUISHER_FIT_DEFAULTS, FILTER_DISTINGUISHER_OPTION_TABLE, FilterDistinguisher, resolveFilterDistinguisherConfig } from '../methods/filter_distinguisher.js';
import { IIC, IIC_DEFAULTS, IIC_OPTION_TABLE, IIC_RECIPES } from '../methods/iic.js';
import type { IicOptions } from '../methods/iic.js';
import { MINE_ENCODER_DEFAULT_BACKBONE, MINE_ENCODER_FIT_DEFAULTS, MINE_ENCODER_OPTION_TABLE, MineEncoder, resolveMineEncoderConfig } from '../methods/mine_encoder.js';
import { RELATIONAL_REASONING_FIT_DEFAULTS, RELATIONAL_REASONING_OPTION_TABLE, RelationalReasoning, resolveRelationalReasoningConfig } from '../methods/relational_reasoning.js';
import type { RelationAggregation } from '../methods/relational_reasoning.js';
import { parseIntegerList } from './args.js';
import type { OptionSpec, OptionValue } from './args.js';
import { CliUsageError } from './io.js';
import { defineMethod, flagsOf, optionSpecs, parseVggBackbone, recipesAsFlags, viewsForShape } from './method_entry.js';
import type { MethodEntry, MethodName, TrainableMethod } from './method_entry.js';

export { parseVggBackbone, viewsForShape, normalizeMethodOptions, chooseRecipe, recipesAsFlags, optionSpecs, flagsOf, resolveMethodOptions, fitMethod, isTrainingComplete } from './method_entry.js';
export type { BuiltInMethodName, MethodName, TrainableMethod, MethodOptionValues, RecipeName, Recipe, MethodContext, MethodEntry } from './method_entry.js';

/** Checks `--backbone`: a named VGG config or a list of channel counts and M. */
const checkBackbone = (value: OptionValue, command?: string) => void parseVggBackbone(String(value), command);

/** Checks a comma-separated list of positive integers. */
const integerList = (flag: string) => (value: OptionValue, command?: string) => void parseIntegerList(flag, String(value), command);

// The classes' own defaults (their resolved configurations without options): the flags' defaults
// read them, so that a default lives in one place.
const AUTOENCODER = resolveAutoencoderConfig();
const FILTER_DISTINGUISHER = resolveFilterDistinguisherConfig();
const RELATIONAL = resolveRelationalReasoningConfig();
const MINE_ENCODER = resolveMineEncoderConfig();
const DEEP_CLUSTER = resolveDeepClusterConfig();

/** Every method of the CLI, by name. */
export const METHODS: Record<MethodName, MethodEntry> = {
  autoencoder: defineMethod<Autoencoder>({
    name: 'autoencoder',
    className: 'Autoencoder',
    summary: 'dense (stacked) or convolutional autoencoder; evaluated by k-means on its codes',
    defaults: AUTOENCODER_FIT_DEFAULTS,
    epochBased: true,
    options: optionSpecs(
      AUTOENCODER_OPTION_TABLE,
      { ...AUTOENCODER, layers: AUTOENCODER.layers.slice(1).join(','), loss: AUTOENCODER.loss === 'mse' ? 'mse' : 'bce' },
      { layers: integerList('layers') },
    ),
    create: ({ seed, shape, options }) => {
      const layers = parseIntegerList('layers', String(options.layers));
      return new Autoencoder({
        seed,
        architecture: options.architecture as 'dense' | 'conv',
        layers: [shape[0] * shape[1] * shape[2], ...layers],
        codeSize: Number(options['code-size']),
        loss: options.loss === 'bce' ? 'binaryCrossEntropy' : 'mse',
      });
    },
    load: (directory) => Autoencoder.load(directory),
  }),

  'filter-distinguisher': defineMethod<FilterDistinguisher>({
    name: 'filter-distinguisher',
    className: 'FilterDistinguisher',
    summary: 'conv levels trained one after another to make their feature maps orthogonal',
    defaults: FILTER_DISTINGUISHER_FIT_DEFAULTS,
    epochBased: false,
    // samples-per-level has no default of its own: resolve() fills it from --epochs or the class's budget.
    options: optionSpecs(FILTER_DISTINGUISHER_OPTION_TABLE, { ...FILTER_DISTINGUISHER, channels: FILTER_DISTINGUISHER.channels.slice(1).join(',') }, { channels: integerList('channels') }),
    create: ({ seed, shape, options }) =>
      new FilterDistinguisher({
        seed,
        channels: [shape[2], ...parseIntegerList('channels', String(options.channels))],
        hiddenChannels: Number(options['hidden-channels']),
        threshold: Number(options.threshold),
      }),
    load: (directory) => FilterDistinguisher.load(directory),
    resolve: (options, run) => ({
      ...options,
      'samples-per-level': options['samples-per-level'] ?? (run.epochs !== undefined ? run.epochs * run.trainImages : FILTER_DISTINGUISHER_FIT_DEFAULTS.samplesPerLevel),
    }),
    // Levels train until the stopping signal or the budget; --epochs only sets the budget.
    fit: (method, dataset, fitOptions, _epochs, options) => method.fit(dataset, { ...fitOptions, samplesPerLevel: Number(options['samples-per-level']) }),
    isComplete: (method) => method.stages.length >= method.depth,
  }),

  'relational-reasoning': defineMethod<RelationalReasoning>({
    name: 'relational-reasoning',
    className: 'RelationalReasoning',
    summary: 'relational reasoning (Patacchiola & Storkey 2020): same-image or not, from pairs of augmented views',
    defaults: RELATIONAL_REASONING_FIT_DEFAULTS,
    epochBased: true,
    // channels has no single default: it depends on the backbone (see the flag's help).
    options: optionSpecs(RELATIONAL_REASONING_OPTION_TABLE, { ...RELATIONAL, channels: undefined }, { channels: integerList('channels') }),
    create: ({ seed, options }) => {
      const channels = options.channels === undefined ? undefined : parseIntegerList('channels', String(options.channels));
      const backbone = options.backbone as 'conv4' | 'resnet';
      return new RelationalReasoning({
        seed,
        backbone,
        channels,
        blocks: backbone === 'resnet' && channels !== undefined ? channels.map(() => 1) : undefined,
        views: Number(options.views),
        aggregation: options.aggregation as RelationAggregation,
        loss: options.loss as 'bce' | 'focal',
        headUnits: Number(options['head-units']),
      });
    },
    load: (directory) => RelationalReasoning.load(directory),
  }),

  iic: defineMethod<IIC>({
    name: 'iic',
    className: 'IIC',
    summary: 'Invariant Information Clustering (Ji et al. 2019): clusters from mutual information between views',
    defaults: IIC_DEFAULTS,
    // The recipes live with IIC's defaults (methods/iic.ts); here only their flags.
    recipes: recipesAsFlags<IicOptions>(IIC_RECIPES, flagsOf(IIC_OPTION_TABLE)),
    epochBased: true,
    options: optionSpecs(IIC_OPTION_TABLE, IIC_DEFAULTS, { backbone: checkBackbone }),
    create: ({ seed, shape, options }) =>
      new IIC({
        seed,
        backbone: parseVggBackbone(String(options.backbone)),
        numClusters: Number(options.clusters),
        overclusterClusters: Number(options.overcluster),
        subHeads: Number(options['sub-heads']),
        headSchedule: options['head-schedule'] as 'alternate' | 'joint',
        repeats: Number(options.repeats),
        lambda: Number(options.lambda),
        views: viewsForShape(shape),
      }),
    load: (directory) => IIC.load(directory),
    predict: (method, dataset) => method.predict(dataset),
  }),

  mine: defineMethod<MineEncoder>({
    name: 'mine',
    className: 'MineEncoder',
    summary: 'image encoder trained with MINE to maximise I(E(x); E(x′)) between views',
    defaults: MINE_ENCODER_FIT_DEFAULTS,
    epochBased: true,
    options: optionSpecs(MINE_ENCODER_OPTION_TABLE, { ...MINE_ENCODER, backbone: MINE_ENCODER_DEFAULT_BACKBONE }, { backbone: checkBackbone }),
    create: ({ seed, shape, options }) =>
      new MineEncoder({
        seed,
        backbone: parseVggBackbone(String(options.backbone)),
        latentSize: Number(options.latent),
        statisticsUnits: Number(options['statistics-units']),
        views: viewsForShape(shape),
      }),
    load: (directory) => MineEncoder.load(directory),
  }),

  deepcluster: defineMethod<DeepCluster>({
    name: 'deepcluster',
    className: 'DeepCluster',
    summary: 'DeepCluster (Caron et al. 2018): k-means pseudo-labels of the features, re-clustered every epoch',
    defaults: DEEP_CLUSTER_FIT_DEFAULTS,
    epochBased: true,
    // --sobel is a switch: absent means off.
    options: optionSpecs(DEEP_CLUSTER_OPTION_TABLE, { ...DEEP_CLUSTER, backbone: DEEP_CLUSTER_DEFAULT_BACKBONE, sobel: undefined }, { backbone: checkBackbone }),
    create: ({ seed, options }) =>
      new DeepCluster({
        seed,
        backbone: parseVggBackbone(String(options.backbone)),
        numClusters: Number(options.clusters),
        featureSize: Number(options['feature-size']),
        pcaComponents: Number(options.pca),
        balance: options.balance as 'uniform' | 'weighted',
        sobel: options.sobel === true,
        augmentation: options.augmentation as 'random-crop' | 'none',
      }),
    load: (directory) => DeepCluster.load(directory),
    predict: (method, dataset) => method.predict(dataset),
  }),
};

/** The method names, in help order. */
export const METHOD_NAMES = Object.keys(METHODS) as MethodName[];

/**
 * The registry entry of a method name.
 *
 * @throws {@link CliUsageError} listing the known methods.
 */
export function methodEntry(name: string, command = 'train'): MethodEntry {
  const entry = (METHODS as Record<string, MethodEntry | undefined>)[name];
  if (entry === undefined) throw new CliUsageError(`Unknown method '${name}'; choose one of: ${METHOD_NAMES.join(', ')}.`, command);
  return entry;
}

/** The entry whose class wrote a saved model (its `className`). */
export function methodEntryForClass(className: string): MethodEntry | undefined {
  return Object.values(METHODS).find((e) => e.className === className);
}

/**
 * Adds a method to the CLI: `train <entry.name>`, then `eval`, `embed`, `plot` and `--resume`
 * work on its runs as on the built-in methods' (see docs/ARCHITECTURE.md, "Adding a method").
 * The method class saves and loads itself through its `models()` hook.
 *
 * @throws when the name is not lower-case words joined by `-`, or the name or class is taken.
 */
export function registerMethod<M extends TrainableMethod>(entry: MethodEntry<M>): void {
  if (entry === null || typeof entry !== 'object') throw new Error(`registerMethod: entry must be a method entry object, got ${entry === null ? 'null' : typeof entry}.`);
  if (typeof entry.name !== 'string' || !/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/.test(entry.name)) throw new Error(`registerMethod: name must be lower-case words joined by '-', e.g. 'my-method'; got ${JSON.stringify(entry.name)}.`);
  if (entry.name in METHODS) throw new Error(`registerMethod: a method named '${entry.name}' is registered already.`);
  if (typeof entry.className !== 'string' || methodEntryForClass(entry.className) !== undefined) throw new Error(`registerMethod: className must be a class name no other method uses; got ${JSON.stringify(entry.className)}.`);
  for (const key of ['create', 'load'] as const) if (typeof entry[key] !== 'function') throw new Error(`registerMethod: ${key} must be a function.`);
  const { epochs, batchSize } = entry.defaults ?? {};
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`registerMethod: defaults.batchSize must be a positive integer (the class's fitDefaults.batchSize), got ${String(batchSize)}.`);
  if (entry.epochBased ? !Number.isInteger(epochs) || epochs! < 1 : epochs !== undefined) {
    throw new Error(`registerMethod: defaults.epochs must be ${entry.epochBased ? 'a positive integer for an epoch-based method' : 'undefined for a method that is not epoch-based'} (the class's fitDefaults.epochs), got ${String(epochs)}.`);
  }
  (METHODS as Record<string, MethodEntry>)[entry.name] = defineMethod(entry);
  METHOD_NAMES.push(entry.name);
}

/**
 * Every method-specific flag, by name, for a first parse before the method is known: a flag
 * that takes a value is read as text (each method converts and checks it, see
 * {@link normalizeMethodOptions}).
 */
export function allMethodOptions(): OptionSpec[] {
  const byName = new Map<string, OptionSpec>();
  for (const entry of Object.values(METHODS)) {
    for (const spec of entry.options) {
      if (!byName.has(spec.name)) byName.set(spec.name, { name: spec.name, kind: spec.kind === 'boolean' ? 'boolean' : 'string', description: spec.description });
    }
  }
  return [...byName.values()];
}

