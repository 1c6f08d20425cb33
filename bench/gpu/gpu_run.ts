/**
 * What bench/gpu/run_on_gpu.sh runs on the GPU machine (bundled by bench/gpu/pack.ts into one file):
 *
 *   node gpu_run.mjs models [--steps 20] [--batch N] [--peer torch.jsonl] [--backend webgpu]
 *     ms per optimiser step of the three benchmark models (bench/train_step_models.ts) on webgpu,
 *     beside PyTorch's on the same GPU (the JSON lines of bench/peers/torch_train_step.py --device
 *     cuda, read from --peer), with the ratio; then a per-kernel profile of one step of each model
 *     (tf.profile: kernel time where the adapter has timestamp queries, else call counts).
 *   node gpu_run.mjs kernels [--batch 256] [--steps 20]
 *     Conv2DBackpropFilter on the benchmark models' conv layers: this library's composition
 *     (split-K products per filter position) against tfjs-backend-webgpu's own shader, ms each.
 *   node gpu_run.mjs iic [--seconds 180] [--limit N] [--backend webgpu]
 *     IIC on MNIST (the example's defaults: small VGG backbone, 2 sub-heads, over-clustering 50,
 *     λ 1.5, batch 256) for as many whole epochs as fit in --seconds, then its test accuracy.
 *
 * Each part ends with a `RESULT {json}` line.
 */
import * as tf from '@tensorflow/tfjs';
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

import { formatBackendInfo, initBackend } from '../../src/backend/init_backend.js';
import { builtInWebGpuKernel } from '../../src/backend/webgpu_kernels/index.js';
import { loadMnist } from '../../src/data/mnist.js';
import { IIC } from '../../src/methods/iic.js';
import { clusterAccuracy } from '../../src/metrics/cluster_accuracy.js';
import { formatMs, formatRatio, markdownTable } from '../table.js';
import type { BenchRow } from '../table.js';
import { BENCH_MODELS, DEFAULT_BATCH, buildBenchModel, timeSteps } from '../train_step_models.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    steps: { type: 'string', default: '20' },
    batch: { type: 'string' },
    peer: { type: 'string' },
    backend: { type: 'string', default: 'webgpu' },
    seconds: { type: 'string', default: '180' },
    limit: { type: 'string' },
  },
});

function positive(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number, got '${text}'.`);
  return n;
}

const part = positionals[0];
if (part !== 'models' && part !== 'iic' && part !== 'kernels') throw new Error(`gpu_run: first argument must be 'models', 'kernels' or 'iic', got '${part ?? ''}'.`);
const info = await initBackend({ backend: values.backend });
console.log(formatBackendInfo(info));

interface PeerResult {
  model: string;
  batch: number;
  msPerStep: number;
  torch: string;
  gpu?: string | null;
}

/** Kernel names of one step, with their total kernel time (ms) where the backend measures it. */
async function profileStep(step: () => tf.Scalar): Promise<Array<{ kernel: string; calls: number; ms: number | undefined }>> {
  const profile = await tf.profile(async () => {
    const loss = step();
    await loss.data();
    loss.dispose();
  });
  const byName = new Map<string, { calls: number; ms: number | undefined }>();
  for (const kernel of profile.kernels) {
    const time = await kernel.kernelTimeMs;
    const ms = typeof time === 'number' ? time : undefined;
    const entry = byName.get(kernel.name) ?? { calls: 0, ms: ms === undefined ? undefined : 0 };
    entry.calls++;
    if (entry.ms !== undefined && ms !== undefined) entry.ms += ms;
    byName.set(kernel.name, entry);
  }
  return [...byName.entries()].map(([kernel, e]) => ({ kernel, ...e })).sort((a, b) => (b.ms ?? 0) - (a.ms ?? 0) || b.calls - a.calls);
}

if (part === 'models') {
  const steps = positive('steps', values.steps) as number;
  const peers = new Map<string, PeerResult>();
  if (values.peer !== undefined && existsSync(values.peer)) {
    for (const line of readFileSync(values.peer, 'utf8').split('\n')) {
      if (line.trim().startsWith('{')) {
        const peer = JSON.parse(line) as PeerResult;
        peers.set(peer.model, peer);
      }
    }
  }
  const rows: BenchRow[] = [];
  const profiles: Record<string, Array<{ kernel: string; calls: number; ms: number | undefined }>> = {};
  for (const name of BENCH_MODELS) {
    const batch = positive('batch', values.batch) ?? DEFAULT_BATCH[name];
    const model = buildBenchModel(name, batch);
    const ms = await timeSteps(model, steps);
    profiles[name] = await profileStep(model.step);
    model.dispose();
    const peer = peers.get(name);
    const row: BenchRow = { part: 'train step', benchmark: name, size: `batch ${batch}`, ours: info.name, oursMs: ms, peer: peer ? `torch ${peer.torch} ${peer.gpu ?? 'cuda'}` : '—', peerMs: peer?.msPerStep, check: peer && peer.batch !== batch ? `peer batch ${peer.batch}` : '' };
    rows.push(row);
    console.log(`${name} | batch ${batch} | ${info.name} ${formatMs(ms)} ms | ${row.peer} ${formatMs(row.peerMs)} ms | ratio ${formatRatio(ms, row.peerMs)}`);
  }
  console.log(markdownTable(rows));
  for (const [name, kernels] of Object.entries(profiles)) {
    console.log(`\nprofile of one ${name} step (kernel, calls, ms):`);
    for (const k of kernels.slice(0, 15)) console.log(`  ${k.kernel.padEnd(24)} ${String(k.calls).padStart(5)} ${k.ms === undefined ? '—' : k.ms.toFixed(2)}`);
  }
  console.log(`RESULT ${JSON.stringify({ part, backend: info, steps, rows, profiles })}`);
} else if (part === 'kernels') {
  const batch = positive('batch', values.batch) ?? 256;
  const repeats = positive('steps', values.steps) as number;
  const ours = tf.getKernel('Conv2DBackpropFilter', info.name)?.kernelFunc;
  const theirs = builtInWebGpuKernel('Conv2DBackpropFilter');
  if (ours === undefined || theirs === undefined) throw new Error(`gpu_run kernels: needs the webgpu backend with this library's kernels (got ${info.name}).`);
  // [height, in channels, out channels] of the 3x3 'same' convolutions of iic-vgg and conv4-relational (×4 views).
  const layers: Array<[string, number, number, number, number]> = [
    ['iic-vgg 1', batch, 24, 1, 64],
    ['iic-vgg 2', batch, 12, 64, 128],
    ['iic-vgg 3', batch, 6, 128, 256],
    ['iic-vgg 4', batch, 3, 256, 512],
    ['conv4 1', batch, 28, 1, 8],
    ['conv4 2', batch, 14, 8, 16],
    ['conv4 3', batch, 7, 16, 32],
    ['conv4 4', batch, 3, 32, 64],
  ];
  const rows: Array<Record<string, string | number>> = [];
  for (const [label, n, size, inChannels, outChannels] of layers) {
    const x = tf.randomNormal([n, size, size, inChannels], 0, 1, 'float32', 1);
    const dy = tf.randomNormal([n, size, size, outChannels], 0, 1, 'float32', 2);
    const attrs = { strides: [1, 1], pad: 'same', dataFormat: 'NHWC', dimRoundingMode: undefined, filterShape: [3, 3, inChannels, outChannels] } as unknown as tf.NamedAttrMap;
    const time = async (kernel: tf.KernelFunc): Promise<number> => {
      const once = async () => {
        const output = tf.engine().makeTensorFromTensorInfo(kernel({ inputs: { x, dy }, attrs, backend: tf.backend() }) as tf.TensorInfo);
        await output.data();
        output.dispose();
      };
      await once();
      const started = performance.now();
      for (let i = 0; i < repeats; i++) await once();
      return (performance.now() - started) / repeats;
    };
    const oursMs = await time(ours);
    const theirsMs = await time(theirs);
    tf.dispose([x, dy]);
    rows.push({ layer: label, x: `[${n}, ${size}, ${size}, ${inChannels}]`, filter: `3x3x${inChannels}x${outChannels}`, oursMs, builtInMs: theirsMs, speedup: theirsMs / oursMs });
    console.log(`Conv2DBackpropFilter ${label} x [${n}, ${size}, ${size}, ${inChannels}] → ${outChannels}: ours ${formatMs(oursMs)} ms, tfjs-backend-webgpu ${formatMs(theirsMs)} ms (${(theirsMs / oursMs).toFixed(2)}x)`);
  }
  console.log(`RESULT ${JSON.stringify({ part, backend: info, batch, repeats, rows })}`);
} else {
  const budgetSeconds = positive('seconds', values.seconds) as number;
  const limit = positive('limit', values.limit);
  const started = performance.now();
  const train = await loadMnist({ split: 'train', limit });
  const test = await loadMnist({ split: 'test', limit });
  const iic = new IIC({ backbone: 'small', subHeads: 2, overclusterClusters: 50, lambda: 1.5, headSchedule: 'joint', seed: 0 });
  const epochs: Array<{ epoch: number; loss: number; seconds: number }> = [];
  const trainingStarted = performance.now();
  for (;;) {
    const elapsed = (performance.now() - trainingStarted) / 1000;
    const lastEpoch = epochs.length > 0 ? epochs[epochs.length - 1].seconds : 0;
    if (epochs.length > 0 && elapsed + lastEpoch > budgetSeconds) break;
    const epochStarted = performance.now();
    const [log] = await iic.fit(train, { epochs: 1, batchSize: 256, learningRate: 1e-3, seed: epochs.length, progress: 'none' });
    epochs.push({ epoch: epochs.length + 1, loss: log.loss, seconds: (performance.now() - epochStarted) / 1000 });
    console.log(`epoch ${epochs.length}: loss ${log.loss.toFixed(4)}, ${epochs[epochs.length - 1].seconds.toFixed(1)} s`);
  }
  const trainingSeconds = (performance.now() - trainingStarted) / 1000;
  const predictions = await iic.predict(test);
  const accuracy = clusterAccuracy(test.labels!, predictions).accuracy;
  iic.dispose();
  console.log(`IIC on ${train.size} MNIST images, ${epochs.length} epochs in ${trainingSeconds.toFixed(1)} s on ${formatBackendInfo(info)}: test accuracy ${accuracy.toFixed(4)}`);
  console.log(`RESULT ${JSON.stringify({ part, backend: info, epochs, trainingSeconds, accuracy, trainImages: train.size, testImages: test.size, wallSeconds: (performance.now() - started) / 1000 })}`);
}
