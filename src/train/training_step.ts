/**
 * One optimiser step: the gradients of a batch loss with respect to every parameter group's
 * variables, each group updated by its optimiser. Nothing is read from the device.
 */
import * as tf from '@tensorflow/tfjs';

import type { BatchLossResult, BatchMetric, ParameterGroup } from './types.js';

/**
 * Frees what a gradient tape saved for its backward pass when the forward pass threw: TF.js frees
 * those tensors only after a backward pass, so without this every failed step would leak them
 * (the same clean-up as the end of `tf.variableGrads`, for the outermost tape only).
 */
function releaseAbandonedTape(): void {
  const state = tf.engine().state;
  if (state.gradientDepth !== 0 || state.activeTape === null) return;
  for (const node of state.activeTape) tf.dispose(node.saved ?? []);
  state.activeTape = null as unknown as typeof state.activeTape;
}

/** What {@link optimizerStep} needs from the method. */
export interface StepHooks {
  /** The method's name, for errors. */
  name: string;
  /** The batch loss (runs inside the gradient tape). */
  batchLoss: () => BatchLossResult;
  /** The optimiser of a group. */
  optimizerFor: (group: ParameterGroup) => tf.Optimizer;
  /** Runs after every group's optimiser applied its gradients. */
  afterOptimizerStep: () => void;
}

/**
 * Takes one step over `groups` (groups without variables are skipped) and returns the loss and
 * the logged metrics as scalars that the caller owns.
 *
 * @throws when no group has a variable, or the loss is not a scalar; nothing is left on the device.
 */
export function optimizerStep(groups: ParameterGroup[], hooks: StepHooks): { loss: tf.Scalar; metrics: Record<string, BatchMetric> } {
  const active = groups.filter((g) => g.variables.length > 0);
  const variables = active.flatMap((g) => g.variables);
  if (variables.length === 0) throw new Error(`${hooks.name}: no trainable variables for this step.`);
  let metrics: Record<string, BatchMetric> = {};
  let computed: { value: tf.Scalar; grads: tf.NamedTensorMap };
  try {
    computed = tf.variableGrads(() => {
      const result = hooks.batchLoss();
      const loss = result instanceof tf.Tensor ? result : result.loss;
      // Checked here, inside the tape: tf.variableGrads would reject it only after computing
      // (and leaking) every gradient.
      if (!(loss instanceof tf.Tensor) || loss.rank !== 0) {
        throw new Error(`${hooks.name}: batchLoss must return a scalar loss, got ${loss instanceof tf.Tensor ? `a tensor of shape [${loss.shape}]` : String(loss)}.`);
      }
      if (!(result instanceof tf.Tensor)) metrics = Object.fromEntries(Object.entries(result.metrics ?? {}).map(([k, t]) => [k, Array.isArray(t) ? t.map((x) => tf.keep(x)) : tf.keep(t)]));
      return loss;
    }, variables);
  } catch (error) {
    // Metrics kept before the loss (or its gradient) failed would outlive the step.
    tf.dispose(Object.values(metrics).flat());
    releaseAbandonedTape();
    throw error;
  }
  const { value, grads } = computed;
  try {
    for (const group of active) {
      const groupGrads: tf.NamedTensorMap = {};
      for (const v of group.variables) groupGrads[v.name] = grads[v.name];
      hooks.optimizerFor(group).applyGradients(groupGrads);
    }
    hooks.afterOptimizerStep();
  } catch (error) {
    tf.dispose([value, ...Object.values(metrics).flat()]);
    throw error;
  } finally {
    tf.dispose(grads);
  }
  return { loss: value, metrics };
}
