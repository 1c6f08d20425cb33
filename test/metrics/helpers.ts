/** Shared fixtures and generators of the metrics tests (not a test file itself). */
import { readFileSync } from 'node:fs';

import type { NmiAverage } from '../../src/metrics/nmi.js';

/** test/fixtures/metrics-sklearn.json (scikit-learn 1.2.1 / scipy 1.10.1). */
export interface MainFixture {
  reference: string;
  clustering: Array<{ labelsTrue: number[]; labelsPred: number[]; nmi: number; nmiGeometric: number; ari: number; ami: number; accuracy: number }>;
  assignment: Array<{ cost: number[][]; minCost: number; rows: number[]; cols: number[] }>;
}

/** Reference scores of one labeling pair in test/fixtures/metrics-sklearn-extra.json. */
export interface ExtraScores {
  name: string;
  nmi: Partial<Record<NmiAverage, number>>;
  ami: Partial<Record<NmiAverage, number>>;
  ari: number;
  mutualInformation: number;
  entropyTrue: number;
  entropyPred: number;
  emi: number;
  accuracy: number;
  majorityAccuracy: number;
}

/** Parameters of {@link generatedLabels}. */
export interface GeneratorParameters {
  seed: number;
  n: number;
  classes: number;
  clusters: number;
  agreement: number;
}

/** test/fixtures/metrics-sklearn-extra.json, written by test/metrics/make_metrics_extra_fixture.py. */
export interface ExtraFixture {
  reference: string;
  clustering: Array<ExtraScores & { labelsTrue: number[]; labelsPred: number[] }>;
  generated: Array<ExtraScores & { generator: GeneratorParameters }>;
  assignment: Array<{ name: string; cost: number[][]; maximize: boolean; total: number; rows: number[]; cols: number[] }>;
}

function readFixture<T>(name: string): T {
  return JSON.parse(readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8')) as T;
}

export const mainFixture = readFixture<MainFixture>('metrics-sklearn.json');
export const extraFixture = readFixture<ExtraFixture>('metrics-sklearn-extra.json');

const MODULUS = 2147483647;

/**
 * The labelings of the fixture's `generated` cases: a Park–Miller generator (16807 · x mod 2³¹−1,
 * exact in doubles) mirrored from make_metrics_extra_fixture.py, so Python and TypeScript see the
 * same labels.
 */
export function generatedLabels({ seed, n, classes, clusters, agreement }: GeneratorParameters): { labelsTrue: Int32Array; labelsPred: Int32Array } {
  let x = seed;
  const uniform = (): number => {
    x = (16807 * x) % MODULUS;
    return x / MODULUS;
  };
  const labelsTrue = new Int32Array(n);
  const labelsPred = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const u = uniform();
    const v = uniform();
    const w = uniform();
    const t = Math.floor(u * u * classes);
    labelsTrue[i] = t;
    labelsPred[i] = v < agreement ? (t * 7 + Math.floor(w * 3)) % clusters : Math.floor(w * w * clusters);
  }
  return { labelsTrue, labelsPred };
}

/** A small deterministic generator for property tests: uniform integers in [0, k). */
export function randomInts(seed: number): (k: number) => number {
  let x = seed;
  return (k: number): number => {
    x = (16807 * x) % MODULUS;
    return Math.floor((x / MODULUS) * k);
  };
}

/** Renames labels by a bijection (shuffled, negative, with gaps), leaving the partition unchanged. */
export function renamed(labels: ArrayLike<number>, seed = 7): number[] {
  const distinct = [...new Set(Array.from(labels))];
  const next = randomInts(seed);
  for (let i = distinct.length - 1; i > 0; i--) {
    const j = next(i + 1);
    [distinct[i], distinct[j]] = [distinct[j], distinct[i]];
  }
  const name = new Map(distinct.map((v, i) => [v, i * 13 - 40]));
  return Array.from(labels, (v) => name.get(v)!);
}
