import * as tf from '@tensorflow/tfjs';

import { mineLoss } from '../losses/mine_loss.js';
import type { MineLossOptions, MineLossResult } from '../losses/mine_loss.js';

/**
 * The moving average of E_Q[e^T] that MINE carries across steps (starting at 1). {@link loss}
 * runs inside a training step and stages the updated average; {@link commit} adopts it once the
 * step is done (a step that throws leaves the average unchanged). Kept on the device: no reads.
 */
export class MineMovingAverage {
  private current: tf.Scalar = tf.keep(tf.scalar(1));
  private pending: tf.Scalar | undefined;

  /** {@link mineLoss} with the current average; the updated one is staged for {@link commit}. */
  loss(tJoint: tf.Tensor, tMarginal: tf.Tensor, options: MineLossOptions): MineLossResult {
    const result = mineLoss(tJoint, tMarginal, this.current, options);
    this.pending?.dispose();
    this.pending = tf.keep(result.movingAverage);
    return result;
  }

  /** Adopts the average staged by the last {@link loss}. */
  commit(): void {
    if (this.pending === undefined) return;
    this.current.dispose();
    this.current = this.pending;
    this.pending = undefined;
  }

  /** Replaces the current average (e.g. restored from a checkpoint); drops a staged one. */
  set(value: number): void {
    this.current.dispose();
    this.current = tf.keep(tf.scalar(value));
    this.pending?.dispose();
    this.pending = undefined;
  }

  /** The current average (owned by this object). */
  get value(): tf.Scalar {
    return this.current;
  }

  dispose(): void {
    this.current.dispose();
    this.pending?.dispose();
    this.pending = undefined;
  }
}
