/**
 * k-means on the 10 000 MNIST test images (raw pixels in [0, 1], k = 10, nInit = 10): wall time,
 * NMI against the digit labels, inertia; and the scikit-learn peer (bench/peers/kmeans_sklearn.py)
 * on the same data when `/usr/bin/python3` has scikit-learn.
 *
 * Usage: npx tsx bench/kmeans_mnist.ts [--n 10000] [--k 10] [--n-init 10] [--seed 0] [--no-sklearn] [--ml-kmeans]
 * `--ml-kmeans` also times one `ml-kmeans` run (nInit = 1), the library this implementation replaces.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import { kmeans as mlKmeans } from 'ml-kmeans';

import { kmeans } from '../src/cluster/kmeans.js';
import { toRows } from '../src/cluster/matrix.js';
import { loadMnist } from '../src/data/mnist.js';
import { nmi } from '../src/metrics/index.js';

function argument(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const n = argument('n', 10000);
const k = argument('k', 10);
const nInit = argument('n-init', 10);
const seed = argument('seed', 0);

const test = await loadMnist({ split: 'test', limit: n });
const labels = test.labels;
if (labels === undefined) throw new Error('kmeans_mnist: MNIST came without labels.');
const x = { data: test.images, rows: test.size, cols: 784 };

const start = performance.now();
const result = kmeans(x, k, { nInit, seed });
const seconds = (performance.now() - start) / 1000;
console.log(
  JSON.stringify({
    impl: 'tfjs-unsupervised kmeans',
    n: test.size,
    k,
    nInit,
    seconds: Number(seconds.toFixed(3)),
    nmi: Number(nmi(labels, result.labels).toFixed(4)),
    inertia: result.inertia,
    iterations: result.iterations,
  }),
);

if (process.argv.includes('--ml-kmeans')) {
  const rows = toRows({ data: Float64Array.from(test.images), rows: test.size, cols: 784 });
  const t0 = performance.now();
  const reference = mlKmeans(rows, k, { seed, maxIterations: 300 });
  const mlSeconds = (performance.now() - t0) / 1000;
  console.log(
    JSON.stringify({
      impl: 'ml-kmeans (one run)',
      n: test.size,
      k,
      nInit: 1,
      seconds: Number(mlSeconds.toFixed(3)),
      nmi: Number(nmi(labels, Int32Array.from(reference.clusters)).toFixed(4)),
      iterations: reference.iterations,
    }),
  );
}

if (!process.argv.includes('--no-sklearn')) {
  const script = fileURLToPath(new URL('./peers/kmeans_sklearn.py', import.meta.url));
  const peer = spawnSync('/usr/bin/python3', [script, '--n', String(n), '--k', String(k), '--n-init', String(nInit), '--seed', String(seed)], {
    encoding: 'utf8',
  });
  if (peer.status === 0) process.stdout.write(peer.stdout);
  else console.log(JSON.stringify({ impl: 'sklearn', skipped: (peer.stderr || String(peer.error)).trim().split('\n').pop() }));
}
