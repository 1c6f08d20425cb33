/**
 * Wall-clock timings that used to be assertions in the tests (where they would flake on a loaded
 * machine): the metrics on a million labels, the linear sum assignment of a 2000 × 10 matrix and
 * loading MNIST. Each row says the budget the test used to assert and whether this run kept it;
 * the tests still check the results.
 *
 *   npm run bench -- --only timings
 */
import { loadMnist } from '../src/data/mnist.js';
import { ami } from '../src/metrics/ami.js';
import { ari } from '../src/metrics/ari.js';
import { clusterAccuracy } from '../src/metrics/cluster_accuracy.js';
import { linearSumAssignment } from '../src/metrics/hungarian.js';
import { contingencyTable } from '../src/metrics/labels.js';
import { nmi } from '../src/metrics/nmi.js';
import { createRandom } from '../src/data/random.js';
import type { BenchRow } from './table.js';
import { timed } from './timing.js';

/** One timing: what runs, the budget the test used to assert (ms) and where. */
interface TimingCase {
  benchmark: string;
  size: string;
  budgetMs: number;
  formerTest: string;
  run: () => unknown;
}

const MILLION = 1_000_000;

/** The cases, built lazily (the label arrays take memory). */
function timingCases(): TimingCase[] {
  const classes = Int32Array.from({ length: MILLION }, (_, i) => i % 10);
  const singletons = Int32Array.from({ length: MILLION }, (_, i) => i);
  const coprime = Int32Array.from({ length: MILLION }, (_, i) => (i * 7) % 13);
  const blocks = Int32Array.from({ length: MILLION }, (_, i) => Math.floor(i / 10_000));
  const thousandClusters = Int32Array.from({ length: MILLION }, (_, i) => (i % 10) * 100 + (Math.floor(i / 10) % 100));
  const random = createRandom(5);
  const cost = Array.from({ length: 2000 }, () => Array.from({ length: 10 }, () => random.int(1_000_000) / 1000));
  return [
    { benchmark: 'nmi, 10 classes vs 13 clusters', size: 'n=1M', budgetMs: 1000, formerTest: 'test/metrics/nmi.test.ts', run: () => nmi(classes, coprime) },
    { benchmark: 'ami, 10 classes vs 100 clusters', size: 'n=1M', budgetMs: 3000, formerTest: 'test/metrics/ami.test.ts', run: () => ami(classes, blocks) },
    { benchmark: 'ami, 10 classes vs singletons', size: 'n=1M', budgetMs: 3000, formerTest: 'test/metrics/ami.test.ts', run: () => ami(classes, singletons) },
    { benchmark: 'ari, 10 classes vs singletons', size: 'n=1M', budgetMs: 3000, formerTest: 'test/metrics/ari.test.ts', run: () => ari(classes, singletons) },
    { benchmark: 'clusterAccuracy, 10 classes vs 1000 clusters', size: 'n=1M', budgetMs: 3000, formerTest: 'test/metrics/cluster_accuracy.test.ts', run: () => clusterAccuracy(classes, thousandClusters) },
    { benchmark: 'clusterAccuracy, 10 classes vs singletons', size: 'n=1M', budgetMs: 5000, formerTest: 'test/metrics/cluster_accuracy.test.ts', run: () => clusterAccuracy(classes, singletons) },
    { benchmark: 'linearSumAssignment', size: '2000×10', budgetMs: 2000, formerTest: 'test/metrics/hungarian.test.ts', run: () => linearSumAssignment(cost) },
    { benchmark: 'contingencyTable, singletons vs singletons', size: 'n=1M', budgetMs: 5000, formerTest: 'test/metrics/labels.test.ts', run: () => contingencyTable(singletons, singletons) },
  ];
}

/** A row of the bench table for a measured time against its former budget. */
function row(benchmark: string, size: string, ms: number, reps: number, budgetMs: number, formerTest: string): BenchRow {
  const verdict = ms <= budgetMs ? 'within' : 'OVER';
  return { part: 'timings', benchmark, size, ours: 'js', oursMs: ms, peer: '—', check: `${verdict} the ${budgetMs} ms budget once asserted in ${formerTest} (${reps} run${reps > 1 ? 's' : ''})` };
}

/**
 * Times every case (median of repeated runs when one takes under a second, see {@link timed}),
 * then one cold `loadMnist` of the training split, reporting each as a row.
 */
export async function runTimingsBench(onRow: (row: BenchRow) => void): Promise<void> {
  for (const c of timingCases()) {
    const { ms, reps } = timed(c.run);
    onRow(row(c.benchmark, c.size, ms, reps, c.budgetMs, c.formerTest));
  }
  // Loading decodes the embedded files once per process: one cold run is what a user waits for.
  const started = performance.now();
  const train = await loadMnist({ split: 'train' });
  const ms = performance.now() - started;
  if (train.size !== 60000) throw new Error(`loadMnist gave ${train.size} training images, expected 60000.`);
  onRow(row('loadMnist (train split, first load)', 'n=60k', ms, 1, 5000, 'test/data/mnist.test.ts'));
}
