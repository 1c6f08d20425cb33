import { seededRandom } from '../core/random.js';
import { describeArgument } from './checks.js';

/** Paired vector samples (x_i, y_i), row-major, e.g. for mutual-information estimation. */
export interface PairedSamples {
  /** [size, xDim] row-major. */
  x: Float32Array;
  /** [size, yDim] row-major. */
  y: Float32Array;
  xDim: number;
  yDim: number;
  size: number;
}

/** Checks the lengths and values of paired samples; throws a clear error. */
export function validatePairedSamples(samples: PairedSamples, context = 'paired samples'): void {
  if (samples === null || typeof samples !== 'object') {
    throw new Error(`${context}: expected PairedSamples { x, y, xDim, yDim, size }, got ${samples === null ? 'null' : typeof samples}.`);
  }
  const { x, y, xDim, yDim, size } = samples;
  if (!(x instanceof Float32Array) || !(y instanceof Float32Array)) throw new Error(`${context}: x and y must be Float32Arrays (row-major), got ${describeArgument(x)} and ${describeArgument(y)}.`);
  if (!Number.isInteger(size) || size < 1) throw new Error(`${context}: the dataset is empty (size ${size}).`);
  if (!Number.isInteger(xDim) || xDim < 1 || !Number.isInteger(yDim) || yDim < 1) throw new Error(`${context}: xDim and yDim must be positive integers, got ${xDim} and ${yDim}.`);
  if (x.length !== size * xDim) throw new Error(`${context}: x has ${x.length} values, expected size × xDim = ${size} × ${xDim}.`);
  if (y.length !== size * yDim) throw new Error(`${context}: y has ${y.length} values, expected size × yDim = ${size} × ${yDim}.`);
  const bad = (a: Float32Array) => a.findIndex((v) => !Number.isFinite(v));
  const bx = bad(x);
  if (bx >= 0) throw new Error(`${context}: x has a non-finite value (${x[bx]}) in row ${Math.floor(bx / xDim)}.`);
  const by = bad(y);
  if (by >= 0) throw new Error(`${context}: y has a non-finite value (${y[by]}) in row ${Math.floor(by / yDim)}.`);
}

/**
 * Samples from a bivariate standard Gaussian with correlation ρ:
 * x ~ N(0, 1), y = ρ x + √(1 − ρ²) ε with ε ~ N(0, 1). Its mutual information is
 * {@link gaussianMutualInformation}(ρ) = −½ ln(1 − ρ²).
 */
export function bivariateGaussian(size: number, rho: number, seed = 0): PairedSamples {
  if (typeof rho !== 'number' || !(rho > -1 && rho < 1)) throw new Error(`bivariateGaussian: the correlation must be in (−1, 1), got ${rho}.`);
  if (!Number.isInteger(size) || size < 1) throw new Error(`bivariateGaussian: size must be a positive integer, got ${size}.`);
  const random = seededRandom(seed, 'bivariateGaussian');
  const x = new Float32Array(size);
  const y = new Float32Array(size);
  const noise = Math.sqrt(1 - rho * rho);
  for (let i = 0; i < size; i++) {
    x[i] = random.normal();
    y[i] = rho * x[i] + noise * random.normal();
  }
  return { x, y, xDim: 1, yDim: 1, size };
}

/** The exact mutual information (nats) of a bivariate Gaussian with correlation ρ: −½ ln(1 − ρ²). */
export function gaussianMutualInformation(rho: number): number {
  if (typeof rho !== 'number' || !(rho > -1 && rho < 1)) throw new Error(`gaussianMutualInformation: the correlation must be in (−1, 1), got ${describeArgument(rho)}.`);
  return -0.5 * Math.log(1 - rho * rho);
}
