/**
 * MINE encoder on MNIST ("Advanced Deep Learning with TensorFlow 2 and Keras", ch. 13): a VGG
 * backbone with a 10-d linear latent, trained without labels to maximise the MINE bound on the
 * mutual information between the codes of x and of a random transform x′. Evaluated by a linear
 * probe fitted on training-split codes and scored on the 10k test split, beside the same encoder
 * at random initialisation.
 *
 *   npx tsx examples/mine_mnist.ts [--epochs 10] [--limit 60000] [--seed 0] [--backbone small|F] [--latent 10]
 */
import { loadMnist } from '../src/data/mnist.js';
import { MineEncoder } from '../src/methods/mine_encoder.js';
import { linearProbe } from '../src/probes/linear_probe.js';
import { printResult, printTable, startExample } from './common.js';

const started = performance.now();
const args = await startExample('MINE encoder on MNIST: linear-probe accuracy of the codes', { epochs: 10 }, { backbone: { type: 'string' }, latent: { type: 'string' }, 'learning-rate': { type: 'string' } });
const backbone = (args.extra.backbone as 'small' | 'F' | undefined) ?? 'small';
const latentSize = Number(args.extra.latent ?? 10);
const learningRate = Number(args.extra['learning-rate'] ?? 1e-3);
const train = await loadMnist({ split: 'train', limit: args.limit });
const test = await loadMnist({ split: 'test' });

async function probe(encoder: MineEncoder): Promise<number> {
  const trainCodes = await encoder.encode(train);
  const testCodes = await encoder.encode(test);
  return (await linearProbe(trainCodes, train.labels!, testCodes, test.labels!, { epochs: 20, seed: args.seed })).accuracy;
}

const random = new MineEncoder({ backbone, latentSize, seed: args.seed }).initialize(train);
const randomProbeAccuracy = await probe(random);
random.dispose();
console.log(`random encoder: linear-probe accuracy ${randomProbeAccuracy.toFixed(4)}`);

const encoder = new MineEncoder({ backbone, latentSize, seed: args.seed });
const rows: Array<Record<string, string | number>> = [];
await encoder.fit(train, {
  epochs: args.epochs,
  learningRate,
  seed: args.seed,
  onEpochEnd: (epoch, logs) => void rows.push({ epoch: epoch + 1, 'MI bound (nats)': logs.lowerBound, seconds: logs.seconds }),
});
printTable(rows);
const probeAccuracy = await probe(encoder);
printTable([
  { encoder: `MINE-trained (${backbone}, ${latentSize}-d)`, 'linear-probe test accuracy': probeAccuracy },
  { encoder: 'same encoder, random init', 'linear-probe test accuracy': randomProbeAccuracy },
]);
printResult({ probeAccuracy, randomProbeAccuracy, finalBound: rows.at(-1)?.['MI bound (nats)'], backbone, latentSize, epochs: args.epochs, trainImages: train.size, backend: args.backend.name, wallSeconds: (performance.now() - started) / 1000 });
