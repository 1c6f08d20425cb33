import type * as tf from '@tensorflow/tfjs';

/** A tensor's values as a plain array; disposes the tensor (tests read results once). */
export async function values(t: tf.Tensor): Promise<number[]> {
  const v = Array.from(await t.data());
  t.dispose();
  return v;
}
