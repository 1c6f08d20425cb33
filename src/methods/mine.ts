import * as tf from '@tensorflow/tfjs';

import type { PairedSamples } from '../data/paired_samples.js';
import { validatePairedSamples } from '../data/paired_samples.js';
import { checkSeed, createRandom } from '../core/random.js';
import { mineLowerBound } from '../losses/mine_loss.js';
import type { MineLossOptions } from '../losses/mine_loss.js';
import { ACTIVATIONS, mlp } from '../nn/mlp.js';
import type { ActivationName } from '../nn/mlp.js';
import { UnsupervisedMethod } from '../train/unsupervised_method.js';
import type { BatchLossResult, MethodOptions, TrainingBatch, FitDefaults } from '../train/unsupervised_method.js';
import type { SavedModels } from '../train/saved_method.js';
import { MineMovingAverage } from './mine_moving_average.js';
import { checkOptionTypes, listOption } from '../data/checks.js';

/** Options of {@link MINE}. */
export interface MineOptions extends MethodOptions, MineLossOptions {
  /** Hidden widths of the statistics network T(x, y). Default `[100, 100]`. */
  hiddenUnits?: number[];
  /** Activation of T's hidden layers. Default `'elu'`. */
  activation?: ActivationName;
}

/** MINE's training defaults (what `fit` uses when not told); the CLI's defaults read them. */
export const MINE_FIT_DEFAULTS = { epochs: 20, batchSize: 512, learningRate: 1e-3 } as const satisfies FitDefaults;

/**
 * Mutual Information Neural Estimation (Belghazi et al. 2018) for paired samples (x, y): a
 * statistics network T(x, y) is trained to maximise the Donsker–Varadhan bound
 * E_P[T] − log E_Q[e^T]; samples of the product of marginals are the batch with y shuffled.
 * Gradients are bias-corrected with a moving average of E_Q[e^T] ({@link mineLoss}).
 * {@link estimate} returns the bound averaged over the last training steps.
 *
 * @example
 * const mine = new MINE({ seed: 0 });
 * await mine.fit(bivariateGaussian(100_000, 0.5), { epochs: 20, batchSize: 512 });
 * mine.estimate(); // ≈ 0.1438 nats
 */
export class MINE extends UnsupervisedMethod<PairedSamples> {
  /** The name saved methods carry (fixed: a bundler may rename the class). */
  static readonly methodName = 'MINE';
  readonly name = MINE.methodName;
  protected override defaultEpochs: number = MINE_FIT_DEFAULTS.epochs;
  protected override defaultBatchSize: number = MINE_FIT_DEFAULTS.batchSize;
  protected override defaultLearningRate: number = MINE_FIT_DEFAULTS.learningRate;
  protected override watchedMetrics = ['lowerBound'];
  readonly options: Required<Omit<MineOptions, 'seed'>>;
  /** The options with the seed: what `save` writes. */
  override readonly config: Required<MineOptions>;
  /** The statistics network: [x, y] concatenated → scalar. */
  statistics: tf.Sequential | undefined;
  /** DV bound of every training step, in order. */
  readonly bounds: number[] = [];
  private movingAverage: MineMovingAverage | undefined;
  private xDim = 0;

  constructor(options: MineOptions = {}) {
    super(options);
    // Types only where no range check below names the option already (numbers have theirs).
    checkOptionTypes(options, { hiddenUnits: 'list', activation: 'string', gradient: 'string' }, 'MINE');
    this.options = {
      hiddenUnits: listOption(options.hiddenUnits, [100, 100], 'hiddenUnits', 'MINE'),
      activation: options.activation ?? 'elu',
      gradient: options.gradient ?? 'moving-average',
      alpha: options.alpha ?? 0.01,
    };
    this.config = { ...this.options, seed: this.seed };
    const { hiddenUnits, activation, gradient, alpha } = this.options;
    if (!Array.isArray(hiddenUnits) || hiddenUnits.some((u) => !Number.isInteger(u) || u < 1)) throw new Error(`MINE: hiddenUnits must be a list of positive integers, got ${JSON.stringify(hiddenUnits)}.`);
    if (!ACTIVATIONS.includes(activation)) throw new Error(`MINE: activation must be one of ${ACTIVATIONS.join(', ')}, got '${String(activation)}'.`);
    if (gradient !== 'moving-average' && gradient !== 'dv') throw new Error(`MINE: gradient must be 'moving-average' or 'dv', got '${String(gradient)}'.`);
    if (typeof alpha !== 'number' || !(alpha > 0 && alpha <= 1)) throw new Error(`MINE: alpha must be in (0, 1], got ${String(alpha)}.`);
  }

  protected override validate(samples: PairedSamples, context: string): void {
    validatePairedSamples(samples, `${this.name}.${context}`);
  }

  protected override shapeKey(samples: PairedSamples): string {
    return JSON.stringify([samples.xDim, samples.yDim]);
  }

  protected override build(samples: PairedSamples): void {
    this.xDim = samples.xDim;
    this.movingAverage = new MineMovingAverage();
    this.statistics = mlp([samples.xDim + samples.yDim, ...this.options.hiddenUnits, 1], { activation: this.options.activation, seed: this.seed, name: 'mine_statistics' });
  }

  /** Rows of x and y side by side: [n, xDim + yDim]. */
  protected override batchInputs(samples: PairedSamples, indices: Int32Array): tf.Tensor {
    const { xDim, yDim } = samples;
    const width = xDim + yDim;
    const joint = new Float32Array(indices.length * width);
    indices.forEach((i, r) => {
      joint.set(samples.x.subarray(i * xDim, (i + 1) * xDim), r * width);
      joint.set(samples.y.subarray(i * yDim, (i + 1) * yDim), r * width + xDim);
    });
    return tf.tensor2d(joint, [indices.length, width]);
  }

  /** T on joint rows and on rows whose y is shuffled within the batch (seeded): [2n, 1]. */
  private statisticsOnBatch(joint: tf.Tensor, seed: number, training: boolean): { tJoint: tf.Tensor; tMarginal: tf.Tensor } {
    const n = joint.shape[0];
    const permutation = tf.tensor1d(createRandom(seed).permutation(n), 'int32');
    const x = joint.slice([0, 0], [n, this.xDim]);
    const y = joint.slice([0, this.xDim], [n, -1]);
    const marginal = tf.concat([x, tf.gather(y, permutation)], 1);
    const t = this.statistics!.apply(tf.concat([joint, marginal], 0), { training }) as tf.Tensor2D;
    return { tJoint: t.slice([0, 0], [n, 1]), tMarginal: t.slice([n, 0], [n, 1]) };
  }

  protected override batchLoss(batch: TrainingBatch): BatchLossResult {
    const { tJoint, tMarginal } = this.statisticsOnBatch(batch.inputs, batch.seed, true);
    const { loss, lowerBound } = this.movingAverage!.loss(tJoint, tMarginal, this.options);
    return { loss, metrics: { lowerBound } };
  }

  /** The step's E_Q[e^T] becomes the moving average once the step is applied. */
  protected override afterOptimizerStep(_batch?: TrainingBatch): void {
    this.movingAverage?.commit();
  }

  protected override models(): Record<string, tf.LayersModel | undefined> {
    return { statistics: this.statistics };
  }

  /** After `load` the moving average restarts at 1 (a checkpoint restores it). */
  protected override restore({ models, inputShape }: SavedModels): void {
    this.statistics = models.statistics as tf.Sequential;
    this.xDim = (inputShape as [number, number])[0];
    this.movingAverage = new MineMovingAverage();
  }

  protected override async afterStep(values: Record<string, number>): Promise<boolean> {
    this.bounds.push(values.lowerBound);
    return false;
  }

  /**
   * The MI estimate (nats): the DV bound averaged over the last `lastSteps` training steps.
   * @throws before any training step.
   */
  estimate(lastSteps = 200): number {
    if (!Number.isInteger(lastSteps) || lastSteps < 1) throw new Error(`MINE.estimate: lastSteps must be a positive integer, got ${String(lastSteps)}.`);
    if (this.bounds.length === 0) throw new Error('MINE.estimate: no training step yet; call fit() first.');
    const recent = this.bounds.slice(-Math.max(1, lastSteps));
    return recent.reduce((a, b) => a + b, 0) / recent.length;
  }

  /** The DV bound of the trained T on `samples` (all rows, y shuffled once with `seed`). */
  async evaluate(samples: PairedSamples, seed = 0): Promise<number> {
    this.requireBuilt('evaluate');
    this.validate(samples, 'evaluate');
    this.requireBuiltShape(samples, 'evaluate');
    checkSeed(seed, 'MINE.evaluate: seed');
    const rows = Int32Array.from({ length: samples.size }, (_, i) => i);
    const inputs = this.batchInputs(samples, rows);
    const bound = tf.tidy(() => {
      const { tJoint, tMarginal } = this.statisticsOnBatch(inputs, seed, false);
      return mineLowerBound(tJoint, tMarginal);
    });
    inputs.dispose();
    const value = (await bound.data())[0];
    bound.dispose();
    return value;
  }

  override dispose(): void {
    super.dispose();
    this.movingAverage?.dispose();
  }
}
