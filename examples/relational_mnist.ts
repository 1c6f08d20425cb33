/**
 * Self-supervised relational reasoning (Patacchiola & Storkey 2020) on MNIST: a Conv4 backbone
 * learns, without labels, to tell whether two augmented views come from the same digit image.
 * Evaluated by a linear probe on its 64-d features — fitted on the training split, scored on the
 * 10k test split — beside the same backbone at random initialisation (same seed) and raw pixels,
 * and by a probe fitted with only 100 labels per class.
 *
 *   npx tsx examples/relational_mnist.ts [--epochs 8] [--limit 60000] [--seed 0] [--views 4]
 *     [--batch-size 64] [--learning-rate 0.001] [--backbone conv4|resnet] [--aggregation cat|sum|mean|max]
 *     [--loss bce|focal] [--crop-scale 0.3,1] [--rotation 20] [--schedule constant|cosine] [--probe-epochs 100]
 */
import type { ImageDataset, LabelledImageDataset } from '../src/data/dataset.js';
import { loadMnist } from '../src/data/mnist.js';
import { createRandom } from '../src/data/random.js';
import { RelationalReasoning } from '../src/methods/relational_reasoning.js';
import type { RelationAggregation, RelationalReasoningOptions } from '../src/methods/relational_reasoning.js';
import { linearProbe } from '../src/probes/linear_probe.js';
import { cosineLearningRate } from '../src/train/learning_rate_schedule.js';
import type { FeatureMatrix } from '../src/train/unsupervised_method.js';
import { exitWithUsage, numberFlag as numberFlagOf, printResult, printTable, startExample } from './common.js';

const started = performance.now();
const args = await startExample(
  'Relational reasoning on MNIST: linear-probe accuracy of Conv4 features',
  { epochs: 8 },
  {
    views: { type: 'string' },
    'batch-size': { type: 'string' },
    'learning-rate': { type: 'string' },
    backbone: { type: 'string' },
    aggregation: { type: 'string' },
    loss: { type: 'string' },
    'crop-scale': { type: 'string' },
    rotation: { type: 'string' },
    schedule: { type: 'string' },
    'probe-epochs': { type: 'string' },
  },
);

const numberFlag = (name: string, fallback: number): number => numberFlagOf(args, name, fallback);

const cropText = args.extra['crop-scale'] as string | undefined;
const rotationText = args.extra.rotation as string | undefined;
const options: RelationalReasoningOptions = {
  backbone: (args.extra.backbone as 'conv4' | 'resnet' | undefined) ?? 'conv4',
  views: numberFlag('views', 4),
  aggregation: (args.extra.aggregation as RelationAggregation | undefined) ?? 'cat',
  loss: (args.extra.loss as 'bce' | 'focal' | undefined) ?? 'bce',
  // The 'mnist' preset (resized crops of area 0.3–1, ±20° rotations) unless the flags say otherwise.
  augment: {
    ...(cropText === undefined ? {} : { cropScale: cropText.split(',').map(Number) as [number, number] }),
    ...(rotationText === undefined ? {} : { maxRotationDegrees: numberFlag('rotation', 20) }),
  },
  seed: args.seed,
};
const batchSize = numberFlag('batch-size', 64);
const learningRate = numberFlag('learning-rate', 1e-3);
// 100 epochs: the linear evaluation of the reference code (train_linear_evaluation.py --epochs=100).
const probeEpochs = numberFlag('probe-epochs', 100);
const schedule = (args.extra.schedule as string | undefined) ?? 'constant';
if (schedule !== 'cosine' && schedule !== 'constant') exitWithUsage(`--schedule must be 'cosine' or 'constant', got '${schedule}'.`);
let method: RelationalReasoning;
try {
  method = new RelationalReasoning(options);
} catch (error) {
  exitWithUsage((error as Error).message);
}

const train = await loadMnist({ split: 'train', limit: args.limit });
const test = await loadMnist({ split: 'test' });

/** 100 training images of each class, chosen with the seed: the few-label probe's training set. */
function fewLabelRows(dataset: LabelledImageDataset, perClass: number): Int32Array {
  const order = createRandom(args.seed + 1).permutation(dataset.size);
  const counts = new Map<number, number>();
  const rows: number[] = [];
  for (const i of order) {
    const label = dataset.labels[i];
    if ((counts.get(label) ?? 0) < perClass) {
      counts.set(label, (counts.get(label) ?? 0) + 1);
      rows.push(i);
    }
  }
  return Int32Array.from(rows);
}
const fewRows = fewLabelRows(train, 100);

function rowsOf(features: FeatureMatrix, rows: Int32Array): FeatureMatrix {
  const data = new Float32Array(rows.length * features.cols);
  rows.forEach((r, i) => data.set(features.data.subarray(r * features.cols, (r + 1) * features.cols), i * features.cols));
  return { data, rows: rows.length, cols: features.cols };
}

/** Linear-probe accuracy on all training labels, and with 100 labels per class. */
async function probe(trainFeatures: FeatureMatrix, testFeatures: FeatureMatrix): Promise<{ all: number; few: number }> {
  const all = await linearProbe(trainFeatures, train.labels, testFeatures, test.labels, { epochs: probeEpochs, seed: args.seed });
  const fewLabels = Int32Array.from(fewRows, (r) => train.labels[r]);
  const few = await linearProbe(rowsOf(trainFeatures, fewRows), fewLabels, testFeatures, test.labels, { epochs: 200, seed: args.seed });
  return { all: all.accuracy, few: few.accuracy };
}

const pixels = (d: ImageDataset): FeatureMatrix => ({ data: d.images, rows: d.size, cols: d.shape[0] * d.shape[1] * d.shape[2] });
const raw = await probe(pixels(train), pixels(test));
console.log(`raw pixels: linear-probe accuracy ${raw.all.toFixed(4)} (100 labels/class: ${raw.few.toFixed(4)})`);

const random = new RelationalReasoning(options).initialize(train);
const randomScores = await probe(await random.encode(train), await random.encode(test));
random.dispose();
console.log(`random-init ${options.backbone}: linear-probe accuracy ${randomScores.all.toFixed(4)} (100 labels/class: ${randomScores.few.toFixed(4)})`);

const rows: Array<Record<string, string | number>> = [];
const trainStarted = performance.now();
await method.fit(train, {
  epochs: args.epochs,
  batchSize,
  learningRate,
  // Optional cosine decay to 0 over the run (at 3 epochs on 10k images it cost 2 points: the
  // model is still underfit at these budgets, so the default rate stays constant).
  ...(schedule === 'cosine' ? { learningRateSchedule: cosineLearningRate(args.epochs) } : {}),
  seed: args.seed,
  onEpochEnd: (epoch, logs) => void rows.push({ epoch: epoch + 1, loss: logs.loss, 'pair accuracy': logs.accuracy, seconds: logs.seconds }),
});
const trainSeconds = (performance.now() - trainStarted) / 1000;
printTable(rows);
const trained = await probe(await method.encode(train), await method.encode(test));
method.dispose();
printTable([
  { features: `relational reasoning (${options.backbone}, K=${options.views})`, 'linear probe': trained.all, '100 labels/class': trained.few },
  { features: `same ${options.backbone}, random init`, 'linear probe': randomScores.all, '100 labels/class': randomScores.few },
  { features: 'raw pixels (784-d)', 'linear probe': raw.all, '100 labels/class': raw.few },
]);
printResult({
  probeAccuracy: trained.all,
  randomProbeAccuracy: randomScores.all,
  rawProbeAccuracy: raw.all,
  probe100Accuracy: trained.few,
  randomProbe100Accuracy: randomScores.few,
  rawProbe100Accuracy: raw.few,
  finalPairAccuracy: rows.at(-1)?.['pair accuracy'],
  backbone: options.backbone,
  views: options.views,
  batchSize,
  schedule,
  probeEpochs,
  epochs: args.epochs,
  trainImages: train.size,
  trainSeconds,
  backend: args.backend.name,
  wallSeconds: (performance.now() - started) / 1000,
});
