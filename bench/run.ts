/**
 * `npm run bench`: ms per optimiser step of DESIGN.md's benchmark models on this library's
 * backend, beside the PyTorch peer (bench/peers/torch_train_step.py) run on the same machine in
 * the same minute, with 1 thread (wasm in Node is single-threaded) and with 2.
 *
 *   npm run bench -- [--models iic-vgg,dense-ae,conv4-relational] [--steps 10] [--backend wasm] [--no-peer]
 */
import * as tf from '@tensorflow/tfjs';
import { parseArgs } from 'node:util';

import { formatBackendInfo, initBackend } from '../src/backend/init_backend.js';
import { BENCH_MODELS, DEFAULT_BATCH, buildBenchModel, timeSteps } from './train_step_models.js';
import type { BenchModel } from './train_step_models.js';
import { peerHas, runPeer } from './torch_peer.js';

const { values } = parseArgs({
  options: {
    models: { type: 'string', default: BENCH_MODELS.join(',') },
    steps: { type: 'string', default: '10' },
    backend: { type: 'string', default: 'wasm' },
    'no-peer': { type: 'boolean', default: false },
  },
});

const models = values.models.split(',').map((m) => m.trim()) as BenchModel[];
for (const m of models) {
  if (!BENCH_MODELS.includes(m)) throw new Error(`Unknown benchmark model '${m}'; choose from ${BENCH_MODELS.join(', ')}.`);
}
const steps = Number(values.steps);
const info = await initBackend({ backend: values.backend });
console.log(formatBackendInfo(info));
const withPeer = !values['no-peer'] && peerHas('torch');
if (!withPeer) console.log('PyTorch peer not run (no /usr/bin/python3 with torch, or --no-peer): apt-get install -y python3-torch');

interface PeerResult {
  msPerStep: number;
  threads: number;
  torch: string;
}

const rows: Array<Record<string, string | number>> = [];
for (const name of models) {
  const model = buildBenchModel(name);
  const ours = await timeSteps(model, steps);
  model.dispose();
  const row: Record<string, string | number> = { model: name, batch: DEFAULT_BATCH[name], [`${info.name} ms/step`]: Number(ours.toFixed(1)) };
  if (withPeer) {
    for (const threads of [1, 2]) {
      const peer = runPeer<PeerResult>('torch_train_step.py', [name, '--threads', String(threads), '--steps', String(steps)]);
      row[`torch ${threads}t ms/step`] = peer.msPerStep;
      row[`ratio vs ${threads}t`] = Number((ours / peer.msPerStep).toFixed(2));
      row.torch = peer.torch;
    }
  }
  rows.push(row);
  console.log(JSON.stringify(row));
}
console.table(rows);
console.log(`tensors alive at the end: ${tf.memory().numTensors}`);
console.log(`RESULT ${JSON.stringify({ backend: info.name, steps, rows })}`);
