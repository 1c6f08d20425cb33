/**
 * Classical clustering utilities on plain arrays: k-means, PCA whitening and L2 normalisation,
 * plus the row-major matrix type they share.
 */
export { kmeans, assignToCentroids } from './kmeans.js';
export type {
  KMeansOptions,
  KMeansResult,
  KMeansInitialization,
  EmptyClusterStrategy,
  CentroidAssignment,
} from './kmeans.js';
export { fitPcaWhiten, pcaWhiten } from './pca_whiten.js';
export type { PcaWhitenOptions, PcaWhitenModel, PcaWhitenResult } from './pca_whiten.js';
export { l2Normalize } from './l2_normalize.js';
export type { L2NormalizeOptions } from './l2_normalize.js';
export { toFloat64Matrix, toRows } from './matrix.js';
export type { DenseMatrix, Float64Matrix, MatrixInput, ToFloat64MatrixOptions } from './matrix.js';
