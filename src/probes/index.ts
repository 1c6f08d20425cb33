/** Probes that score frozen features with labels: linear (softmax) probe, kNN probe, precision@k. */
export { linearProbe } from './linear_probe.js';
export type { LinearProbeOptions, LinearProbeResult } from './linear_probe.js';
export { knnProbe, precisionAtK } from './knn_probe.js';
export type {
  KnnMetric,
  KnnWeighting,
  KnnProbeOptions,
  KnnProbeResult,
  PrecisionAtKOptions,
  PrecisionAtKResult,
} from './knn_probe.js';
