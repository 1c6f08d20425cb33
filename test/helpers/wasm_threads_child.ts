/**
 * Run by test/backend/wasm_threads.test.ts in a child process (a backend starts once per process):
 * starts wasm with the thread count of argv[2], computes a conv net's loss gradients through the
 * gap-fill kernels and a large matmul, and prints them as one JSON line. It must then exit by
 * itself: the pool's worker threads may not keep the process alive.
 */
import * as tf from '@tensorflow/tfjs';

import { initBackend } from '../../src/backend/init_backend.js';
import { createRandom } from '../../src/data/random.js';

const threads = Number(process.argv[2]);
const info = await initBackend({ backend: 'wasm', threads });
const random = createRandom(3);
const filled = (shape: number[]): tf.Tensor => {
  const size = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(Float32Array.from({ length: size }, () => random.normal()), shape);
};
const x = filled([8, 12, 12, 3]) as tf.Tensor4D;
const kernel = tf.variable(filled([3, 3, 3, 16]) as tf.Tensor4D);
const dense = tf.variable(filled([6 * 6 * 16, 10]) as tf.Tensor2D);
const { value, grads } = tf.variableGrads(() =>
  tf.tidy(() => {
    const features = tf.maxPool(tf.relu(tf.conv2d(x, kernel, 1, 'same')), 2, 2, 'valid');
    return tf.mean(tf.square(tf.matMul(tf.reshape(features, [8, -1]), dense)));
  }),
);
const a = filled([300, 500]);
const b = filled([500, 400]);
const product = tf.matMul(a, b);
console.log(
  JSON.stringify({
    threads: info.threads,
    loss: (await value.data())[0],
    kernelGradient: Array.from(await grads[kernel.name].data()),
    denseGradient: Array.from(await grads[dense.name].data()),
    productSum: (await tf.sum(product).data())[0],
    productFirst: Array.from((await product.data()).subarray(0, 50)),
  }),
);
