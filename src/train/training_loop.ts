/**
 * The steps of one epoch (`fit` → epoch → step): batches in the planned order, one optimiser
 * step each, running metrics kept on the device and read once at the end, progress, callbacks.
 */
import * as tf from '@tensorflow/tfjs';

import { deriveSeed } from '../nn/initializers.js';
import type { ProgressReporter } from './progress.js';
import type { BatchEndLogs, BatchMetric, EpochLogs, EpochMetricLists, FitOptions, PlannedBatch, TrainingBatch } from './types.js';

/** Running sums of the step scalars, on the device; a metric's mean is over the steps that logged it. */
class RunningMetrics {
  private readonly sums = new Map<string, tf.Scalar>();
  private readonly counts = new Map<string, number>();

  /** Adds a step's scalar (and takes ownership of it). */
  add(key: string, value: tf.Scalar): void {
    const previous = this.sums.get(key);
    this.sums.set(key, previous ? tf.add(previous, value) : tf.clone(value));
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    previous?.dispose();
    value.dispose();
  }

  /** The running mean of the loss over `steps` steps (one asynchronous read). */
  async lossMean(steps: number): Promise<number> {
    return (await this.sums.get('loss')!.data())[0] / steps;
  }

  /** Every metric's mean, read off the device. */
  async means(): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for (const [key, sum] of this.sums) out[key] = (await sum.data())[0] / Math.max(1, this.counts.get(key) ?? 0);
    return out;
  }

  dispose(): void {
    tf.dispose([...this.sums.values()]);
    this.sums.clear();
  }
}

/** What one epoch needs from the method and its fit. */
export interface EpochRun<TData> {
  dataset: TData;
  /** The epoch over the method's life (zero-based), and its index in this fit. */
  epoch: number;
  index: number;
  /** Epochs of this fit (for the progress display). */
  epochs: number;
  /** The batches in order (see `epochBatches`), cut to `stepsPerEpoch`. */
  batches: PlannedBatch[];
  /** The seed of this epoch; batch seeds derive from it. */
  epochSeed: number;
  options: FitOptions;
  progress: ProgressReporter;
  /** When the epoch started (`performance.now()`). */
  started: number;
  /** The method's name, for errors. */
  name: string;
  batchInputs: (indices: Int32Array) => tf.Tensor;
  /** One optimiser step (see `trainStep`). */
  step: (batch: TrainingBatch) => { loss: tf.Scalar; metrics: Record<string, BatchMetric> };
  /** Metrics read after every step for {@link afterStep}. */
  watchedMetrics: string[];
  afterStep: (values: Record<string, number>, batch: TrainingBatch) => Promise<boolean>;
  /** Sets the learning-rate schedule's factor for the next step. */
  setLearningRateFactor: (factor: number) => void;
  /** Steps taken before this one over the method's life; {@link advance} counts one more. */
  globalStep: () => number;
  advance: () => void;
  /**
   * The `callbacks.onBatchEnd` of the fit, if any: called after every step with the step's logs
   * (its loss read from the device, so only when this is set).
   */
  batchEnd?: (step: number, logs: BatchEndLogs) => Promise<void>;
  /** Whether a callback asked to stop (`method.stopTraining`); checked after every step. */
  stopRequested?: () => boolean;
}

/** What {@link runEpoch} did. */
export interface EpochResult {
  /** `loss` and the logged metrics, means over the epoch's steps (the loss NaN with no step). */
  logs: EpochLogs;
  /** The list metrics' means (also in `logs` as `name0`, `name1`, …). */
  lists: EpochMetricLists;
  samples: number;
  /** Steps taken (fewer than planned when `afterStep` asked to stop). */
  steps: number;
  /** Whether `afterStep` or a callback (`method.stopTraining`) asked to stop. */
  stopped: boolean;
}

/** Runs the steps of one epoch. Every tensor it creates is disposed on every path. */
export async function runEpoch<TData>(run: EpochRun<TData>): Promise<EpochResult> {
  const { epoch, batches, options, progress } = run;
  const metrics = new RunningMetrics();
  const logs: EpochLogs = { epoch, loss: Number.NaN, seconds: 0, samplesPerSecond: 0 };
  let samples = 0;
  let steps = 0;
  let stopped = false;
  const listLengths = new Map<string, number>();
  try {
    let lastLossRead = 0;
    let shownLoss: number | undefined;
    for (let step = 0; step < batches.length; step++) {
      const { indices, phase } = batches[step];
      let stepLoss = Number.NaN;
      const inputs = run.batchInputs(indices);
      try {
        const batch: TrainingBatch = { indices, inputs, epoch, step, globalStep: run.globalStep(), seed: deriveSeed(run.epochSeed, step + 1), phase };
        if (options.learningRateSchedule !== undefined) {
          const factor = options.learningRateSchedule(epoch, step / batches.length);
          if (!(factor >= 0) || !Number.isFinite(factor)) throw new Error(`${run.name}.fit: the learning-rate schedule gave ${factor} at epoch ${epoch}, step ${step}; it must return a finite factor ≥ 0.`);
          run.setLearningRateFactor(factor);
        }
        const { loss, metrics: logged } = run.step(batch);
        const all: Record<string, tf.Scalar> = { loss };
        if (run.batchEnd !== undefined) {
          try {
            stepLoss = (await loss.data())[0];
          } catch (error) {
            tf.dispose([loss, ...Object.values(logged).flat()]);
            throw error;
          }
        }
        for (const [key, value] of Object.entries(logged)) {
          if (!Array.isArray(value)) all[key] = value;
          else {
            listLengths.set(key, Math.max(listLengths.get(key) ?? 0, value.length));
            value.forEach((scalar, i) => (all[`${key}${i}`] = scalar));
          }
        }
        try {
          if (run.watchedMetrics.length > 0) {
            const values: Record<string, number> = {};
            for (const key of run.watchedMetrics) if (all[key] !== undefined) values[key] = (await all[key].data())[0];
            stopped = await run.afterStep(values, batch);
          }
        } finally {
          // The running sums own the step's scalars from here, even when afterStep throws.
          for (const [key, value] of Object.entries(all)) metrics.add(key, value);
        }
      } finally {
        inputs.dispose();
      }
      run.advance();
      steps++;
      samples += indices.length;
      const seconds = (performance.now() - run.started) / 1000;
      if (seconds - lastLossRead > 1) {
        // Asynchronous read, at most once a second, only for the progress display.
        lastLossRead = seconds;
        shownLoss = await metrics.lossMean(step + 1);
      }
      progress.update({ epoch: run.index, epochs: run.epochs, batch: step + 1, batches: batches.length, samples, seconds, loss: shownLoss });
      await options.onBatchEnd?.(step, epoch);
      await run.batchEnd?.(step, { batch: step, size: indices.length, loss: stepLoss, epoch });
      if (run.stopRequested?.() === true) stopped = true;
      if (stopped) break;
    }
    Object.assign(logs, await metrics.means());
  } finally {
    // Disposed on every path, including a step, schedule or callback that throws.
    metrics.dispose();
  }
  const lists: EpochMetricLists = {};
  for (const [key, length] of listLengths) lists[key] = Array.from({ length }, (_, i) => logs[`${key}${i}`]);
  return { logs, lists, samples, steps, stopped };
}
