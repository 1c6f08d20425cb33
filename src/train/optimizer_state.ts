/**
 * Optimiser state off and back onto the device: what a checkpoint stores so that training resumes
 * with the same Adam moments, and a learning rate changed in place.
 */
import * as tf from '@tensorflow/tfjs';

import type { OptimizerGroupState, OptimizerWeight, ParameterGroup } from './types.js';

/** Scalars of some tf.js optimisers that `getWeights()` leaves out but the next step reads. */
const OPTIMIZER_EXTRA_SCALARS = ['accBeta1', 'accBeta2'] as const;

/** An optimiser's fields as plain properties (the learning rate, Adam's β powers). */
function fieldsOf(optimizer: tf.Optimizer): Record<string, unknown> {
  return optimizer as unknown as Record<string, unknown>;
}

/**
 * Sets an optimiser's learning rate in place, keeping its state: SGD and momentum through
 * `setLearningRate`, the others (Adam, Adamax, RMSProp, Adagrad, Adadelta) through their
 * `learningRate` field, which every step reads. Returns false when neither exists.
 */
export function setOptimizerLearningRate(optimizer: tf.Optimizer, rate: number): boolean {
  const fields = fieldsOf(optimizer);
  if (typeof fields.setLearningRate === 'function') {
    (fields.setLearningRate as (rate: number) => void).call(optimizer, rate);
    return true;
  }
  if (typeof fields.learningRate === 'number') {
    fields.learningRate = rate;
    return true;
  }
  return false;
}

/**
 * The state of one group's optimiser with its values copied off the device (the optimiser keeps
 * its own).
 *
 * @param context names the method in errors.
 */
export async function readOptimizerState(group: string, optimizer: tf.Optimizer, learningRate: number, variableCount: number, context: string): Promise<OptimizerGroupState> {
  const named = await optimizer.getWeights();
  const weights: OptimizerWeight[] = [];
  for (const { name, tensor } of named) {
    const dtype = tensor.dtype === 'int32' ? 'int32' : 'float32';
    if (tensor.dtype !== 'int32' && tensor.dtype !== 'float32') throw new Error(`${context}: optimiser state '${name}' has dtype ${tensor.dtype}; only float32 and int32 are supported.`);
    const data = await tensor.data();
    weights.push({ name, shape: [...tensor.shape], dtype, values: dtype === 'int32' ? Int32Array.from(data as Int32Array) : Float32Array.from(data as Float32Array) });
    // getWeights() hands out the optimiser's own variables, and new tensors (the iteration count).
    if (!(tensor instanceof tf.Variable)) tensor.dispose();
  }
  const extra: Record<string, number> = {};
  const fields = fieldsOf(optimizer);
  for (const key of OPTIMIZER_EXTRA_SCALARS) {
    const value = fields[key];
    if (value instanceof tf.Tensor && value.size === 1) extra[key] = (await value.data())[0];
  }
  return { group, optimizer: optimizer.getClassName(), learningRate, variableCount, weights, extra };
}

/** Puts a state from {@link readOptimizerState} into a fresh optimiser of the same class. */
export async function writeOptimizerState(optimizer: tf.Optimizer, state: OptimizerGroupState): Promise<void> {
  const tensors = state.weights.map(({ name, shape, dtype, values }) => ({ name, tensor: tf.tensor(values, shape, dtype) }));
  try {
    await optimizer.setWeights(tensors);
  } finally {
    tf.dispose(tensors.map((t) => t.tensor));
  }
  const fields = fieldsOf(optimizer);
  for (const [key, value] of Object.entries(state.extra)) {
    const variable = fields[key];
    if (variable instanceof tf.Variable) tf.tidy(() => variable.assign(tf.scalar(value, variable.dtype)));
  }
}

/**
 * One optimiser per parameter group, kept while the group's variables stay the same (a new rate
 * is set in place, keeping the moments), replaced when they change; exported and imported for
 * checkpoints.
 */
export class GroupOptimizers {
  private readonly entries = new Map<string, { signature: string; optimizer: tf.Optimizer; learningRate: number }>();

  /**
   * @param create makes the optimiser of a group (e.g. Adam at `rate`).
   * @param context names the method in errors.
   */
  constructor(
    private readonly create: (rate: number, group: string) => tf.Optimizer,
    private readonly context: () => string,
  ) {}

  /** The optimiser of `group` at learning rate `rate`: the existing one when its variables are the same. */
  get(group: ParameterGroup, rate: number): tf.Optimizer {
    const signature = group.variables.map((v) => v.name).join('|');
    const existing = this.entries.get(group.name);
    if (existing && existing.signature === signature) {
      // A new rate (a schedule, or another fit's learningRate) keeps the optimiser's moments.
      if (existing.learningRate !== rate && setOptimizerLearningRate(existing.optimizer, rate)) existing.learningRate = rate;
      if (existing.learningRate === rate) return existing.optimizer;
    }
    // Optimisers such as Adam keep their moments by position in the variable list: a new set
    // of variables needs a fresh optimiser, never the state of another variable.
    existing?.optimizer.dispose();
    const optimizer = this.create(rate, group.name);
    this.entries.set(group.name, { signature, optimizer, learningRate: rate });
    return optimizer;
  }

  /** Drops a group's optimiser (and its state). */
  reset(groupName: string): void {
    this.entries.get(groupName)?.optimizer.dispose();
    this.entries.delete(groupName);
  }

  /** The state of every optimiser created so far, values copied off the device. */
  async export(): Promise<OptimizerGroupState[]> {
    const groups: OptimizerGroupState[] = [];
    for (const [group, { signature, optimizer, learningRate }] of this.entries) {
      const variableCount = signature === '' ? 0 : signature.split('|').length;
      groups.push(await readOptimizerState(group, optimizer, learningRate, variableCount, this.context()));
    }
    return groups;
  }

  /**
   * Restores states into fresh optimisers for `groups`, matching variables by position.
   *
   * @throws when a group does not exist now, its variable count or optimiser class differs.
   */
  async import(states: OptimizerGroupState[], groups: ParameterGroup[]): Promise<void> {
    const name = this.context();
    const current = new Map(groups.map((g) => [g.name, g]));
    for (const state of states) {
      const group = current.get(state.group);
      if (group === undefined) {
        throw new Error(`${name}: the saved optimiser state is for parameter group '${state.group}', which the model does not have now (groups: ${[...current.keys()].join(', ') || 'none'}).`);
      }
      if (group.variables.length !== state.variableCount) {
        throw new Error(`${name}: parameter group '${state.group}' has ${group.variables.length} variables but its saved optimiser state is for ${state.variableCount}.`);
      }
      this.reset(state.group);
      const optimizer = this.get(group, state.learningRate);
      if (optimizer.getClassName() !== state.optimizer) {
        throw new Error(`${name}: parameter group '${state.group}' uses a ${optimizer.getClassName()} optimiser but the saved state is from ${state.optimizer}.`);
      }
      await writeOptimizerState(optimizer, state);
    }
  }

  /** Frees every optimiser. */
  dispose(): void {
    for (const { optimizer } of this.entries.values()) optimizer.dispose();
    this.entries.clear();
  }
}
