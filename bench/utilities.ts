/**
 * Quality-of-utilities benchmark: our k-means, NMI, Hungarian-matched accuracy and linear sum
 * assignment against scikit-learn / SciPy (bench/peers/utilities_peer.py) on the same data,
 * written to .bench/utilities/ as raw little-endian arrays and read by the peer.
 *
 * What is compared, per size n (default 10k, 100k, 1M):
 * - `kmeans`: Gaussian blobs (k = 10 centres drawn from N(0, 2²) per coordinate, unit-variance
 *   points, d = 16), Lloyd's algorithm from the same k random data rows, a fixed number of
 *   iterations (tolerance 0: only an unchanged labelling stops early) and one initialisation, so
 *   both do the same work: our `kmeans(…, { initialization, nInit: 1, maxIterations, tolerance: 0 })`
 *   vs `KMeans(init=…, n_init=1, max_iter=…, tol=0, algorithm='lloyd')`, the latter with 1 thread and
 *   with all cores (it is OpenMP-parallel; ours is single-threaded). Check: relative inertia
 *   difference and iterations.
 * - `nmi`: n labels in 10 classes against a noisy relabelling (70 % mapped, 30 % uniform) in 10
 *   clusters: `nmi` vs `normalized_mutual_info_score`.
 * - `accuracy`: the same labels, Hungarian-matched accuracy: `clusterAccuracy` vs the usual recipe
 *   `contingency_matrix` + `linear_sum_assignment(-C)`. With 10 clusters the matching itself is a
 *   10 × 10 problem: this measures the O(n) counting around it.
 * - `lsa`: the assignment itself at a growing size: a square m × m matrix of uniform costs with
 *   m = round(√n), so that it has about n entries (100², 316², 1000²): `linearSumAssignment` vs
 *   `scipy.optimize.linear_sum_assignment`. Check: relative difference of the optimal totals.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { kmeans } from '../src/cluster/kmeans.js';
import { createRandom } from '../src/data/random.js';
import { clusterAccuracy, linearSumAssignment, nmi } from '../src/metrics/index.js';
import type { BenchRow } from './table.js';
import { formatCount } from './table.js';
import { timed } from './timing.js';
import { PEER_PYTHON, PEERS_DIRECTORY, peerHas } from './torch_peer.js';

/** The utilities that can be benchmarked. */
export const UTILITIES = ['kmeans', 'nmi', 'accuracy', 'lsa'] as const;
/** One of {@link UTILITIES}. */
export type Utility = (typeof UTILITIES)[number];

/** Options of {@link runUtilitiesBench}. */
export interface UtilitiesBenchOptions {
  /** Numbers of samples. Default 10k, 100k, 1M. */
  sizes: number[];
  /** Which utilities. Default all. */
  utilities: Utility[];
  /** k-means dimension. Default 16. */
  dims: number;
  /** k-means clusters (and classes / clusters of the label benchmarks). Default 10. */
  k: number;
  /** k-means iterations (fixed: tolerance 0). Default 30. */
  iterations: number;
  /** Run the Python peer. Default: when /usr/bin/python3 has scikit-learn, SciPy and threadpoolctl. */
  peer: boolean;
  /** Largest m of the m × m assignment benchmark (ours is O(m³): 1000 takes about a second). Default 1000. */
  maxAssignmentSize: number;
  /** Where the data files go. Default .bench/utilities. */
  directory: string;
  /** Called with every row as soon as it is measured. */
  onRow?: (row: BenchRow) => void;
}

interface PeerResult {
  ms: number;
  reps: number;
  sklearn: string;
  scipy: string;
  inertia?: number;
  iterations?: number;
  value?: number;
  totalCost?: number;
}

function runUtilityPeer(args: string[]): PeerResult {
  const result = spawnSync(PEER_PYTHON, [join(PEERS_DIRECTORY, 'utilities_peer.py'), ...args], { encoding: 'utf8', timeout: 900_000, maxBuffer: 1 << 20 });
  if (result.status !== 0) throw new Error(`utilities_peer.py ${args.join(' ')} failed: ${result.stderr || result.error?.message}`);
  const lines = result.stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]) as PeerResult;
}

function writeF64(path: string, values: Float64Array): void {
  writeFileSync(path, new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
}

function writeI32(path: string, values: Int32Array): void {
  writeFileSync(path, new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
}

/** Relative difference |a − b| / max(|a|, |b|), as text. */
function relDiff(a: number, b: number | undefined): string {
  if (b === undefined) return '';
  const d = Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b), 1e-300);
  return d === 0 ? '0' : d.toExponential(0);
}

/** Gaussian blobs: n × d float64 rows around k centres. */
function blobs(n: number, d: number, k: number, seed: number): Float64Array {
  const random = createRandom(seed);
  const centres = Float64Array.from({ length: k * d }, () => 2 * random.normal());
  const x = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    const c = random.int(k);
    for (let j = 0; j < d; j++) x[i * d + j] = centres[c * d + j] + random.normal();
  }
  return x;
}

/** True labels in k classes and a noisy relabelling: 70 % mapped by (c + 3) mod k, 30 % uniform. */
function labelPair(n: number, k: number, seed: number): { yTrue: Int32Array; yPred: Int32Array } {
  const random = createRandom(seed);
  const yTrue = new Int32Array(n);
  const yPred = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    yTrue[i] = random.int(k);
    yPred[i] = random.next() < 0.7 ? (yTrue[i] + 3) % k : random.int(k);
  }
  return { yTrue, yPred };
}

/** Whether the utilities peer can run. */
export function utilitiesPeerAvailable(): boolean {
  return peerHas('sklearn', 'scipy', 'threadpoolctl');
}

/** Runs the utilities benchmark and returns its rows. */
export function runUtilitiesBench(options: UtilitiesBenchOptions): BenchRow[] {
  const { sizes, utilities, dims: d, k, iterations, peer, maxAssignmentSize, directory, onRow } = options;
  mkdirSync(directory, { recursive: true });
  const rows: BenchRow[] = [];
  const push = (row: BenchRow): void => {
    rows.push(row);
    onRow?.(row);
  };
  let versions: { sklearn: string; scipy: string } | undefined;
  const peerName = (what: string, threads?: string): string =>
    `${what}${versions ? ` ${what.startsWith('scipy') ? versions.scipy : versions.sklearn}` : ''}${threads ? ` ${threads}` : ''}`;
  try {
    for (const n of sizes) {
      const size = `n=${formatCount(n)}`;
      if (utilities.includes('kmeans')) {
        const x = blobs(n, d, k, 1);
        const pick = createRandom(2).permutation(n).subarray(0, k);
        const init = new Float64Array(k * d);
        pick.forEach((r, c) => init.set(x.subarray(r * d, (r + 1) * d), c * d));
        const ours = timed(() =>
          kmeans({ data: x, rows: n, cols: d }, k, { initialization: { data: init, rows: k, cols: d }, nInit: 1, maxIterations: iterations, tolerance: 0 }),
        );
        const benchmark = `kmeans d=${d} k=${k}, ≤${iterations} Lloyd iterations`;
        const base = { part: 'utilities', benchmark, size, ours: 'kmeans', oursMs: ours.ms };
        if (peer) {
          const dataFile = join(directory, `blobs_${n}.f64`);
          const initFile = join(directory, `blobs_${n}_init.f64`);
          writeF64(dataFile, x);
          writeF64(initFile, init);
          for (const threads of [1, 2]) {
            const p = runUtilityPeer(['kmeans', '--data', dataFile, '--init', initFile, '--n', String(n), '--d', String(d), '--k', String(k), '--iterations', String(iterations), '--threads', String(threads)]);
            versions ??= p;
            push({
              ...base,
              peer: peerName('sklearn KMeans', `${threads} thread${threads > 1 ? 's' : ''}`),
              peerMs: p.ms,
              check: `inertia Δ ${relDiff(ours.result.inertia, p.inertia)}, iterations ${ours.result.iterations}/${p.iterations}`,
            });
          }
          rmSync(dataFile);
          rmSync(initFile);
        } else {
          push({ ...base, peer: '—', check: `iterations ${ours.result.iterations}` });
        }
      }
      if (utilities.includes('nmi') || utilities.includes('accuracy')) {
        const { yTrue, yPred } = labelPair(n, k, 3);
        const trueFile = join(directory, `labels_${n}_true.i32`);
        const predFile = join(directory, `labels_${n}_pred.i32`);
        if (peer) {
          writeI32(trueFile, yTrue);
          writeI32(predFile, yPred);
        }
        if (utilities.includes('nmi')) {
          const ours = timed(() => nmi(yTrue, yPred));
          const p = peer ? runUtilityPeer(['nmi', '--true', trueFile, '--pred', predFile]) : undefined;
          if (p) versions ??= p;
          push({
            part: 'utilities',
            benchmark: `nmi, ${k} classes × ${k} clusters`,
            size,
            ours: 'nmi',
            oursMs: ours.ms,
            peer: p ? peerName('sklearn normalized_mutual_info_score') : '—',
            peerMs: p?.ms,
            check: p ? `NMI Δ ${relDiff(ours.result, p.value)}` : `NMI ${ours.result.toFixed(4)}`,
          });
        }
        if (utilities.includes('accuracy')) {
          const ours = timed(() => clusterAccuracy(yTrue, yPred));
          const p = peer ? runUtilityPeer(['accuracy', '--true', trueFile, '--pred', predFile]) : undefined;
          if (p) versions ??= p;
          push({
            part: 'utilities',
            benchmark: `Hungarian accuracy, ${k} classes × ${k} clusters`,
            size,
            ours: 'clusterAccuracy',
            oursMs: ours.ms,
            peer: p ? peerName('scipy linear_sum_assignment') + ' + contingency' : '—',
            peerMs: p?.ms,
            check: p ? `accuracy Δ ${relDiff(ours.result.accuracy, p.value)}` : `accuracy ${ours.result.accuracy.toFixed(4)}`,
          });
        }
        if (peer) {
          rmSync(trueFile);
          rmSync(predFile);
        }
      }
      if (utilities.includes('lsa')) {
        const m = Math.round(Math.sqrt(n));
        if (m > maxAssignmentSize) {
          console.log(`lsa ${m}×${m} skipped (above --max-assignment ${maxAssignmentSize}).`);
        } else {
          const random = createRandom(4);
          const flat = Float64Array.from({ length: m * m }, () => random.next());
          const cost = Array.from({ length: m }, (_, i) => flat.subarray(i * m, (i + 1) * m));
          const ours = timed(() => linearSumAssignment(cost));
          let p: PeerResult | undefined;
          if (peer) {
            const costFile = join(directory, `cost_${m}.f64`);
            writeF64(costFile, flat);
            p = runUtilityPeer(['lsa', '--cost', costFile, '--m', String(m)]);
            versions ??= p;
            rmSync(costFile);
          }
          push({
            part: 'utilities',
            benchmark: 'linear sum assignment, uniform costs',
            size: `${m}×${m} (≈${formatCount(n)} cells)`,
            ours: 'linearSumAssignment',
            oursMs: ours.ms,
            peer: p ? peerName('scipy linear_sum_assignment') : '—',
            peerMs: p?.ms,
            check: p ? `total Δ ${relDiff(ours.result.totalCost, p.totalCost)}` : '',
          });
        }
      }
    }
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
  return rows;
}
