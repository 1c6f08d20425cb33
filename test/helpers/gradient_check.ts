import * as tf from '@tensorflow/tfjs';

/**
 * Central finite differences of a scalar function of one tensor, computed in float64 on the host
 * around float32 evaluations: dL/dx_i ≈ (f(x + h e_i) − f(x − h e_i)) / 2h.
 */
export async function numericGradient(f: (x: tf.Tensor) => tf.Scalar, x: tf.Tensor, h = 1e-3): Promise<Float64Array> {
  const base = Float32Array.from(await x.data());
  const gradient = new Float64Array(base.length);
  for (let i = 0; i < base.length; i++) {
    const evaluate = async (delta: number) => {
      const shifted = Float32Array.from(base);
      shifted[i] += delta;
      const value = tf.tidy(() => f(tf.tensor(shifted, x.shape)));
      const v = (await value.data())[0];
      value.dispose();
      return v;
    };
    gradient[i] = ((await evaluate(h)) - (await evaluate(-h))) / (2 * h);
  }
  return gradient;
}

/** The largest |analytic − numeric| relative to max(1, |numeric|) over all entries. */
export async function gradientError(f: (x: tf.Tensor) => tf.Scalar, x: tf.Tensor, h = 1e-3): Promise<number> {
  const analyticTensor = tf.grad(f)(x);
  const analytic = await analyticTensor.data();
  analyticTensor.dispose();
  const numeric = await numericGradient(f, x, h);
  let worst = 0;
  for (let i = 0; i < numeric.length; i++) {
    worst = Math.max(worst, Math.abs(analytic[i] - numeric[i]) / Math.max(1, Math.abs(numeric[i])));
  }
  return worst;
}

/** Runs `fn` and returns how many tensors it left behind. */
export async function leakedTensors(fn: () => unknown | Promise<unknown>): Promise<number> {
  const before = tf.memory().numTensors;
  await fn();
  return tf.memory().numTensors - before;
}
