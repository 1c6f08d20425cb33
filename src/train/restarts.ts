import { checkNumber, describeArgument } from '../data/checks.js';
import { readOptions } from '../data/options.js';
import { deriveSeed } from '../nn/initializers.js';
import type { EpochLogs, FitOptions } from './types.js';

/** What {@link fitBestOfRestarts} trains: any method of the library (a `fit` that continues training when called again, and a `dispose`). */
export interface RestartableMethod<TData> {
  fit(input: TData, options?: FitOptions): Promise<EpochLogs[]>;
  dispose(): void;
}

/** Options of {@link fitBestOfRestarts}: a fit's options, with the restarts' own. */
export interface RestartOptions<TMethod> extends Omit<FitOptions, 'epochs' | 'seed' | 'onEpochEnd'> {
  /** Epochs the kept candidate trains in all, its trial epochs included. Required. */
  epochs: number;
  /** Candidates trained from different seeds. Default 2; 1 is a plain fit. */
  candidates?: number;
  /** Epochs each candidate trains before the choice (at most `epochs`). Default 2 (1 when `epochs` is 1). */
  trialEpochs?: number;
  /** Base seed: candidate 0 uses it as is (so that it trains exactly as a plain run of that seed), candidate i > 0 {@link restartSeed}. Default 0. */
  seed?: number;
  /** Called after every epoch of every candidate, with the candidate's index and the method. */
  onEpochEnd?: (epoch: number, logs: EpochLogs, candidate: { index: number; method: TMethod }) => void | Promise<void>;
}

/** What {@link fitBestOfRestarts} returns: the kept method and how it was chosen. */
export interface RestartResult<TMethod> {
  /** The kept candidate, trained `epochs` epochs; the caller owns (and disposes) it. */
  method: TMethod;
  /** Index of the kept candidate. */
  chosen: number;
  /** Each candidate's seed (of its weights and of its batches). */
  seeds: number[];
  /** Each candidate's training loss in its last trial epoch (the choice's criterion). */
  trialLosses: number[];
}

/** The seed of restart candidate `index` from a base seed: the base itself for candidate 0, a derived one after. */
export function restartSeed(seed: number, index: number): number {
  checkNumber(seed, 'seed', 'restartSeed', { integer: true });
  checkNumber(index, 'index', 'restartSeed', { integer: true, min: 0 });
  return index === 0 ? seed : deriveSeed(deriveSeed(seed, -7919), index);
}

/**
 * A candidate's trial loss (the training loss of its last trial epoch), checked finite.
 * @throws naming the candidate and its seed when the loss is not a finite number.
 */
export function trialLoss(logs: EpochLogs[], index: number, seed: number, context: string): number {
  const loss = logs.at(-1)?.loss ?? Number.NaN;
  if (!Number.isFinite(loss)) throw new Error(`${context}: candidate ${index} (seed ${seed}) ended its trial with a loss of ${loss}; nothing to compare.`);
  return loss;
}

/**
 * The restarts' own options with their defaults (2 candidates, 2 trial epochs or 1 when `epochs`
 * is 1, seed 0), checked: what {@link fitBestOfRestarts} does first, for a caller that refuses bad
 * values before it loads its data.
 *
 * @param context the start of the error messages.
 * @throws when `epochs`, `candidates` or `trialEpochs` is not a positive integer, `seed` not an integer, or `trialEpochs` exceeds `epochs`.
 */
export function resolveRestartOptions(
  options: { epochs: number; candidates?: number; trialEpochs?: number; seed?: number },
  context = 'fitBestOfRestarts',
): { epochs: number; candidates: number; trialEpochs: number; seed: number } {
  const { epochs, candidates = 2, seed = 0 } = options;
  checkNumber(epochs, 'epochs', context, { integer: true, min: 1 });
  const trialEpochs = options.trialEpochs ?? Math.min(2, epochs);
  checkNumber(candidates, 'candidates', context, { integer: true, min: 1 });
  checkNumber(trialEpochs, 'trialEpochs', context, { integer: true, min: 1 });
  checkNumber(seed, 'seed', context, { integer: true });
  if (trialEpochs > epochs) throw new Error(`${context}: trialEpochs (${trialEpochs}) must not exceed epochs (${epochs}).`);
  return { epochs, candidates, trialEpochs, seed };
}

/**
 * Random restarts chosen by the training loss: trains `candidates` methods from different seeds
 * for `trialEpochs` each, keeps the one whose last trial epoch had the lowest training loss,
 * disposes the others, and trains the kept one on to `epochs` in all. The choice reads the
 * objective only, never labels — as IIC's sub-heads are chosen by their loss (Ji et al. 2019),
 * here for whole runs, against a run that settles early on a poor partition (IIC on MNIST: the
 * runs ending lower already had a higher loss after 2 epochs). Costs
 * `(candidates − 1) · trialEpochs` extra epochs. Candidate 0 trains exactly as `fit` with the base
 * seed would.
 *
 * @param create builds a fresh method from a seed (its weights' seed; the same seed shuffles its batches).
 * @throws when an option is not a positive integer, `trialEpochs` exceeds `epochs`, or a trial loss is not finite.
 */
export async function fitBestOfRestarts<TData, TMethod extends RestartableMethod<TData>>(
  create: (seed: number) => TMethod,
  data: TData,
  options: RestartOptions<TMethod>,
): Promise<RestartResult<TMethod>> {
  const context = 'fitBestOfRestarts';
  if (typeof create !== 'function') throw new Error(`${context}: create must be a function (seed) => method, got ${describeArgument(create)}.`);
  options = readOptions(options, context, { candidates: 'number', trialEpochs: 'number', seed: 'number', onEpochEnd: 'function' });
  const { epochs: _epochs, candidates: _candidates, trialEpochs: _trialEpochs, seed: _seed, onEpochEnd, ...fitOptions } = options;
  const { epochs, candidates, trialEpochs, seed } = resolveRestartOptions(options, context);
  const seeds = Array.from({ length: candidates }, (_, i) => restartSeed(seed, i));
  const build = (index: number): TMethod => {
    const method = create(seeds[index]);
    if (method === null || typeof method !== 'object' || typeof (method as { fit?: unknown }).fit !== 'function' || typeof (method as { dispose?: unknown }).dispose !== 'function') {
      throw new Error(`${context}: create must return a method (with fit and dispose), got ${describeArgument(method)} for seed ${seeds[index]}.`);
    }
    return method;
  };
  const fitCandidate = (method: TMethod, index: number, epochCount: number) =>
    method.fit(data, {
      ...fitOptions,
      epochs: epochCount,
      seed: seeds[index],
      onEpochEnd: onEpochEnd === undefined ? undefined : (epoch, logs) => onEpochEnd(epoch, logs, { index, method }),
    });
  const trialLosses: number[] = [];
  let kept: { method: TMethod; index: number } | undefined;
  for (let i = 0; i < candidates; i++) {
    const method = build(i);
    try {
      trialLosses.push(trialLoss(await fitCandidate(method, i, trialEpochs), i, seeds[i], context));
    } catch (error) {
      method.dispose();
      kept?.method.dispose();
      throw error;
    }
    if (kept === undefined || trialLosses[i] < trialLosses[kept.index]) {
      kept?.method.dispose();
      kept = { method, index: i };
    } else {
      method.dispose();
    }
  }
  const { method, index } = kept!;
  try {
    if (epochs > trialEpochs) await fitCandidate(method, index, epochs - trialEpochs);
  } catch (error) {
    method.dispose();
    throw error;
  }
  return { method, chosen: index, seeds, trialLosses };
}
