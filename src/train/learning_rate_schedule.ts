import { readOptions } from '../data/options.js';
/**
 * Learning-rate schedules for {@link UnsupervisedMethod.fit}: functions of the absolute epoch
 * (counted over the method's life, so a resumed run follows the same curve) and the fraction of
 * that epoch already done, returning the factor that multiplies the base learning rate.
 */
export type LearningRateSchedule = (epoch: number, epochFraction: number) => number;

/** Options of {@link cosineLearningRate}. */
export interface CosineLearningRateOptions {
  /** Epochs of linear warm-up from 0 to the full rate before the decay starts. Default 0. */
  warmupEpochs?: number;
  /** The factor reached at the end, as a share of the base rate. Default 0. */
  finalFactor?: number;
}

/**
 * Cosine decay (Loshchilov & Hutter 2017, "SGDR", without restarts; the default of solo-learn),
 * updated every step: after an optional linear warm-up, the factor goes from 1 to `finalFactor`
 * along half a cosine over `totalEpochs`, and stays at `finalFactor` afterwards.
 *
 *   factor(t) = finalFactor + (1 − finalFactor) · ½ (1 + cos(π (t − warmup) / (total − warmup)))
 *
 * with t = epoch + epochFraction.
 *
 * @throws when `totalEpochs` is not positive, the warm-up is not shorter than the schedule, or
 *   `finalFactor` is outside [0, 1].
 */
export function cosineLearningRate(totalEpochs: number, options: CosineLearningRateOptions = {}): LearningRateSchedule {
  options = readOptions(options, 'cosineLearningRate');
  const { warmupEpochs = 0, finalFactor = 0 } = options;
  if (!(totalEpochs > 0) || !Number.isFinite(totalEpochs)) throw new Error(`cosineLearningRate: totalEpochs must be a positive number, got ${totalEpochs}.`);
  if (!(warmupEpochs >= 0) || warmupEpochs >= totalEpochs) throw new Error(`cosineLearningRate: warmupEpochs must be in [0, totalEpochs = ${totalEpochs}), got ${warmupEpochs}.`);
  if (!(finalFactor >= 0 && finalFactor <= 1)) throw new Error(`cosineLearningRate: finalFactor must be in [0, 1], got ${finalFactor}.`);
  return (epoch, epochFraction) => {
    const t = epoch + epochFraction;
    if (t < warmupEpochs) return t / warmupEpochs;
    const progress = Math.min(1, (t - warmupEpochs) / (totalEpochs - warmupEpochs));
    return finalFactor + (1 - finalFactor) * 0.5 * (1 + Math.cos(Math.PI * progress));
  };
}
