/**
 * `npm run bench`: one table of
 * - ms per optimiser step of the benchmark models (docs/ARCHITECTURE.md) on this library's backend, beside the
 *   PyTorch peer (bench/peers/torch_train_step.py) run on the same machine in the same minute, with
 *   1 thread (wasm in Node is single-threaded) and with 2;
 * - our k-means, NMI, Hungarian accuracy and linear sum assignment beside scikit-learn / SciPy
 *   (bench/peers/utilities_peer.py) at n = 10k, 100k, 1M (see bench/utilities.ts for what exactly).
 *
 *   npm run bench -- [--only models|utilities|timings] [--models iic-vgg,dense-ae,conv4-relational] [--steps 10] [--batch N]
 *                    [--backend wasm|webgpu|cpu|tensorflow|auto] [--threads N] [--sizes 10k,100k,1M] [--utilities kmeans,nmi,accuracy,lsa]
 *                    [--kmeans-dims 16] [--kmeans-iterations 30] [--max-assignment 1000] [--no-peer]
 *
 * Prints each row as it is measured, then the Markdown table, then `RESULT {json}`.
 */
import { parseArgs } from 'node:util';

import type { BenchRow } from './table.js';
import { formatMs, formatRatio, markdownTable, parseCount } from './table.js';
import { runTimingsBench } from './timings.js';
import { UTILITIES, runUtilitiesBench, utilitiesPeerAvailable } from './utilities.js';
import type { Utility } from './utilities.js';

const PARTS = ['models', 'utilities', 'timings'] as const;

const { values } = parseArgs({
  options: {
    only: { type: 'string', default: PARTS.join(',') },
    models: { type: 'string', default: 'iic-vgg,dense-ae,conv4-relational' },
    steps: { type: 'string', default: '10' },
    // One batch size for every model (default: each model's own, DEFAULT_BATCH), e.g. small for a
    // correctness run on a software GPU.
    batch: { type: 'string' },
    backend: { type: 'string', default: 'wasm' },
    // wasm threads; default as initBackend: $TFJS_UNSUPERVISED_THREADS, else one per CPU.
    threads: { type: 'string' },
    sizes: { type: 'string', default: '10k,100k,1M' },
    utilities: { type: 'string', default: UTILITIES.join(',') },
    'kmeans-dims': { type: 'string', default: '16' },
    'kmeans-iterations': { type: 'string', default: '30' },
    'max-assignment': { type: 'string', default: '1000' },
    'no-peer': { type: 'boolean', default: false },
  },
});

function list(text: string): string[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

function positiveInteger(name: string, text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, got '${text}'.`);
  return n;
}

const parts = list(values.only);
for (const p of parts) if (!(PARTS as readonly string[]).includes(p)) throw new Error(`Unknown part '${p}' in --only; choose from ${PARTS.join(', ')}.`);
const utilities = list(values.utilities) as Utility[];
for (const u of utilities) if (!(UTILITIES as readonly string[]).includes(u)) throw new Error(`Unknown utility '${u}'; choose from ${UTILITIES.join(', ')}.`);
const sizes = list(values.sizes).map(parseCount);
const steps = positiveInteger('steps', values.steps);

console.log(`machine: ${(await import('node:os')).cpus().length} cores, load average ${(await import('node:os')).loadavg().map((l) => l.toFixed(2)).join(' ')}`);
const rows: BenchRow[] = [];
const report = (row: BenchRow): void => {
  rows.push(row);
  console.log(`${row.part} | ${row.benchmark} | ${row.size} | ${row.ours} ${formatMs(row.oursMs)} ms | ${row.peer} ${formatMs(row.peerMs)} ms | ratio ${formatRatio(row.oursMs, row.peerMs)} | ${row.check}`);
};
let backendName: string | undefined;

if (parts.includes('models')) {
  // Loaded only here: `--only utilities` needs no TensorFlow.js backend.
  const tf = await import('@tensorflow/tfjs');
  const { formatBackendInfo, initBackend } = await import('../src/backend/init_backend.js');
  const { BENCH_MODELS, DEFAULT_BATCH, buildBenchModel, timeSteps } = await import('./train_step_models.js');
  const { peerHas, runPeer } = await import('./torch_peer.js');
  type BenchModel = (typeof BENCH_MODELS)[number];
  const models = list(values.models) as BenchModel[];
  for (const m of models) {
    if (!BENCH_MODELS.includes(m)) throw new Error(`Unknown benchmark model '${m}'; choose from ${BENCH_MODELS.join(', ')}.`);
  }
  const info = await initBackend({ backend: values.backend, threads: values.threads === undefined ? undefined : positiveInteger('threads', values.threads) });
  backendName = info.name;
  console.log(formatBackendInfo(info));
  if (info.adapter?.software === true) console.log('software GPU adapter: the webgpu timings below check that the models run, they say nothing about GPU speed');
  const batchOverride = values.batch === undefined ? undefined : positiveInteger('batch', values.batch);
  const withPeer = !values['no-peer'] && peerHas('torch');
  if (!withPeer) console.log('PyTorch peer not run (no /usr/bin/python3 with torch, or --no-peer): apt-get install -y python3-torch');
  for (const name of models) {
    const batch = batchOverride ?? DEFAULT_BATCH[name];
    const model = buildBenchModel(name, batch);
    const ours = await timeSteps(model, steps);
    model.dispose();
    const base = { part: 'train step', benchmark: name, size: `batch ${batch}`, ours: info.threads === undefined ? info.name : `${info.name} ${info.threads} thread${info.threads > 1 ? 's' : ''}`, oursMs: ours, check: '' };
    if (!withPeer) {
      report({ ...base, peer: '—' });
      continue;
    }
    for (const threads of [1, 2]) {
      const peer = runPeer<{ msPerStep: number; torch: string }>('torch_train_step.py', [name, '--threads', String(threads), '--steps', String(steps), '--batch', String(batch)]);
      report({ ...base, peer: `torch ${peer.torch} ${threads} thread${threads > 1 ? 's' : ''}`, peerMs: peer.msPerStep });
    }
  }
  console.log(`tensors alive after the models: ${tf.memory().numTensors}`);
}

if (parts.includes('utilities')) {
  const peer = !values['no-peer'] && utilitiesPeerAvailable();
  if (!peer) console.log('scikit-learn / SciPy peer not run (no /usr/bin/python3 with sklearn, scipy, threadpoolctl, or --no-peer): apt-get install -y python3-sklearn');
  runUtilitiesBench({
    sizes,
    utilities,
    dims: positiveInteger('kmeans-dims', values['kmeans-dims']),
    k: 10,
    iterations: positiveInteger('kmeans-iterations', values['kmeans-iterations']),
    peer,
    maxAssignmentSize: positiveInteger('max-assignment', values['max-assignment']),
    directory: '.bench/utilities',
    onRow: report,
  });
}

// Wall-clock budgets the tests no longer assert (bench/timings.ts).
if (parts.includes('timings')) await runTimingsBench(report);

console.log('');
console.log('ours/peer > 1: ours is slower. Timings share the machine with whatever else runs on it: compare ratios taken in the same run.');
console.log(markdownTable(rows));
console.log(`RESULT ${JSON.stringify({ backend: backendName, steps, sizes, rows })}`);
