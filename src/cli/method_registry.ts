/**
 * The methods the CLI knows, by name: how to build one from flags for a dataset, load one from a
 * checkpoint, train it towards a target, and whether it assigns clusters itself (the entry type
 * and the functions on one entry: method_entry.ts). Adding a method to the CLI is one entry in
 * {@link METHODS}, or {@link registerMethod} from outside.
 */
import { Autoencoder, AUTOENCODER_FIT_DEFAULTS, resolveAutoencoderConfig } from '../methods/autoencoder.js';
import { DEEP_CLUSTER_FIT_DEFAULTS, DeepCluster, resolveDeepClusterConfig } from '../methods/deep_cluster.js';
import { FILTER_DISTINGUISHER_FIT_DEFAULTS, FilterDistinguisher, resolveFilterDistinguisherConfig } from '../methods/filter_distinguisher.js';
import { IIC, IIC_DEFAULTS, IIC_RECIPES } from '../methods/iic.js';
import type { IicOptions } from '../methods/iic.js';
import { MINE_ENCODER_FIT_DEFAULTS, MineEncoder, resolveMineEncoderConfig } from '../methods/mine_encoder.js';
import { RELATIONAL_REASONING_FIT_DEFAULTS, RelationalReasoning, resolveRelationalReasoningConfig } from '../methods/relational_reasoning.js';
import type { RelationAggregation } from '../methods/relational_reasoning.js';
import { parseIntegerList } from './args.js';
import type { OptionSpec, OptionValue } from './args.js';
import { CliUsageError } from './io.js';
import { defineMethod, parseVggBackbone, recipesAsFlags, viewsForShape } from './method_entry.js';
import type { MethodEntry, MethodName, TrainableMethod } from './method_entry.js';

export { parseVggBackbone, viewsForShape, normalizeMethodOptions, chooseRecipe, recipesAsFlags, resolveMethodOptions, fitMethod, isTrainingComplete } from './method_entry.js';
export type { BuiltInMethodName, MethodName, TrainableMethod, MethodOptionValues, RecipeName, Recipe, MethodContext, MethodEntry } from './method_entry.js';

const backboneOption = (fallback: string): OptionSpec => ({
  name: 'backbone',
  kind: 'string',
  placeholder: 'F|small|16,M,32,...',
  description: 'VGG backbone: a named config or channel counts with M for max-pool',
  default: fallback,
  check: (value, command) => void parseVggBackbone(String(value), command),
});

/** Checks a comma-separated list of positive integers. */
const integerList = (flag: string) => (value: OptionValue, command?: string) => void parseIntegerList(flag, String(value), command);

// The classes' own defaults (their resolved configurations without options): the flags' defaults
// read them, so that a default lives in one place.
const AUTOENCODER = resolveAutoencoderConfig();
const FILTER_DISTINGUISHER = resolveFilterDistinguisherConfig();
const RELATIONAL = resolveRelationalReasoningConfig();
const MINE_ENCODER = resolveMineEncoderConfig();
const DEEP_CLUSTER = resolveDeepClusterConfig();

/** The flag of each IIC option the CLI sets. */
const IIC_FLAGS = {
  backbone: 'backbone',
  numClusters: 'clusters',
  overclusterClusters: 'overcluster',
  subHeads: 'sub-heads',
  headSchedule: 'head-schedule',
  repeats: 'repeats',
  lambda: 'lambda',
} as const satisfies Partial<Record<keyof IicOptions, string>>;

/** Every method of the CLI, by name. */
export const METHODS: Record<MethodName, MethodEntry> = {
  autoencoder: defineMethod<Autoencoder>({
    name: 'autoencoder',
    className: 'Autoencoder',
    summary: 'dense (stacked) or convolutional autoencoder; evaluated by k-means on its codes',
    defaults: AUTOENCODER_FIT_DEFAULTS,
    epochBased: true,
    options: [
      { name: 'layers', kind: 'string', placeholder: 'W1,W2,...', description: 'dense widths after the input, the last one the code', default: AUTOENCODER.layers.slice(1).join(','), check: integerList('layers') },
      { name: 'architecture', kind: 'string', choices: ['dense', 'conv'], description: 'dense MLP or strided convolutions', default: AUTOENCODER.architecture },
      { name: 'code-size', kind: 'integer', min: 1, description: 'conv architecture: width of the code', default: AUTOENCODER.codeSize },
      { name: 'loss', kind: 'string', choices: ['mse', 'bce'], description: 'reconstruction loss', default: AUTOENCODER.loss === 'mse' ? 'mse' : 'bce' },
    ],
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
    options: [
      { name: 'channels', kind: 'string', placeholder: 'C1,C2,...', description: "every level's output channels", default: FILTER_DISTINGUISHER.channels.slice(1).join(','), check: integerList('channels') },
      { name: 'hidden-channels', kind: 'integer', min: 1, description: "channels of each level's 5x5 conv", default: FILTER_DISTINGUISHER.hiddenChannels },
      { name: 'threshold', kind: 'number', min: 0, exclusiveMin: true, description: 'a level is done when the running max |cos| drops below this', default: FILTER_DISTINGUISHER.threshold },
      {
        name: 'samples-per-level',
        kind: 'integer',
        min: 1,
        description: `sample budget of each level (default: --epochs passes over the training images when --epochs is given, else ${FILTER_DISTINGUISHER_FIT_DEFAULTS.samplesPerLevel})`,
      },
    ],
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
    options: [
      { name: 'backbone', kind: 'string', choices: ['conv4', 'resnet'], description: 'Conv4 or a small ResNet', default: RELATIONAL.backbone },
      { name: 'channels', kind: 'string', placeholder: 'C1,C2,...', description: "channels of the backbone's blocks (default 8,16,32,64 for conv4, 16,32,64 for resnet)", check: integerList('channels') },
      { name: 'views', kind: 'integer', min: 2, description: 'augmented views K of each image per batch', default: RELATIONAL.views },
      { name: 'aggregation', kind: 'string', choices: ['cat', 'sum', 'mean', 'max'], description: "how a pair's representations are combined", default: RELATIONAL.aggregation },
      { name: 'loss', kind: 'string', choices: ['bce', 'focal'], description: 'binary cross-entropy or focal loss', default: RELATIONAL.loss },
      { name: 'head-units', kind: 'integer', min: 1, description: "width of the relation head's hidden layer", default: RELATIONAL.headUnits },
    ],
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
    recipes: recipesAsFlags<IicOptions>(IIC_RECIPES, IIC_FLAGS),
    epochBased: true,
    options: [
      backboneOption(IIC_DEFAULTS.backbone),
      { name: 'clusters', kind: 'integer', min: 2, description: 'clusters of the main head', default: IIC_DEFAULTS.numClusters },
      { name: 'overcluster', kind: 'integer', min: 0, description: 'clusters of the over-clustering head (0: none)', default: IIC_DEFAULTS.overclusterClusters },
      { name: 'sub-heads', kind: 'integer', min: 1, description: 'sub-heads per head', default: IIC_DEFAULTS.subHeads },
      { name: 'head-schedule', kind: 'string', choices: ['alternate', 'joint'], description: 'a pass per head per epoch, or one joint pass', default: IIC_DEFAULTS.headSchedule },
      { name: 'repeats', kind: 'integer', min: 1, description: 'transformed views per image per batch', default: IIC_DEFAULTS.repeats },
      { name: 'lambda', kind: 'number', min: 0, description: 'weight of the marginal entropies in the IIC loss (> 1: more balanced clusters)', default: IIC_DEFAULTS.lambda },
    ],
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
    options: [
      backboneOption('small'),
      { name: 'latent', kind: 'integer', min: 1, description: 'width of the latent code', default: MINE_ENCODER.latentSize },
      { name: 'statistics-units', kind: 'integer', min: 1, description: 'hidden units of the statistics network', default: MINE_ENCODER.statisticsUnits },
    ],
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
    options: [
      backboneOption('small'),
      { name: 'clusters', kind: 'integer', min: 2, description: 'k-means clusters (pseudo-classes)', default: DEEP_CLUSTER.numClusters },
      { name: 'feature-size', kind: 'integer', min: 1, description: 'width of the clustered feature layer', default: DEEP_CLUSTER.featureSize },
      { name: 'pca', kind: 'integer', min: 1, description: 'PCA components before whitening', default: DEEP_CLUSTER.pcaComponents },
      { name: 'balance', kind: 'string', choices: ['uniform', 'weighted'], description: 'sample clusters uniformly, or weight the loss', default: DEEP_CLUSTER.balance },
      { name: 'sobel', kind: 'boolean', description: 'train on Sobel edges instead of pixels' },
    ],
    create: ({ seed, options }) =>
      new DeepCluster({
        seed,
        backbone: parseVggBackbone(String(options.backbone)),
        numClusters: Number(options.clusters),
        featureSize: Number(options['feature-size']),
        pcaComponents: Number(options.pca),
        balance: options.balance as 'uniform' | 'weighted',
        sobel: options.sobel === true,
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

