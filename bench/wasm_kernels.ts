/**
 * Times the wasm gap-fill kernels against what wasm has built in, on the conv shapes of the
 * benchmark models (VGG F on 24x24, Conv4 on 28x28): Conv2DBackpropInput (ours for stride 1 vs the
 * built-in), Conv2DBackpropFilter (ours; no built-in exists, so against the forward conv as a
 * yardstick), transposed matrix products (ours vs the built-in BatchMatMul), and on the
 * feature maps of IIC's CPU recipe (small VGG, 256 images + 2 views = 768 per step) MaxPoolGrad
 * and Identity (ours vs the built-in: the engine clones every tensor a gradient keeps), and
 * Conv2DBackpropFilter's two formulations (a convolution with dy as the filter, the patches'
 * matrix product) on first layers of 1–3 channels and IIC's second layer: which one is faster
 * decides PATCH_PRODUCT_MAX_ROWS.
 *
 *   npx tsx bench/wasm_kernels.ts [--repeats 3]
 */
import * as tf from '@tensorflow/tfjs';
import { parseArgs } from 'node:util';

import { initBackend } from '../src/backend/init_backend.js';
import { builtInWasmKernel } from '../src/backend/wasm_kernels/index.js';
import { conv2dBackpropFilterAsConvolution, conv2dBackpropFilterAsProduct, PATCH_PRODUCT_MAX_ROWS } from '../src/backend/wasm_kernels/conv2d_backprop_filter.js';

const { values } = parseArgs({ options: { repeats: { type: 'string', default: '3' } } });
const repeats = Number(values.repeats);
await initBackend({ backend: 'wasm' });

/**
 * Best wall time of `repeats` runs of `f` (after one warm-up run); the output is disposed outside
 * the timing. With `readOutput` (the default) the time includes reading it back; without, only the
 * call (wasm kernels run synchronously, and a read would add a copy out of the heap).
 */
async function best(f: () => tf.Tensor, readOutput = true): Promise<number> {
  let fastest = Infinity;
  for (let i = 0; i < repeats + 1; i++) {
    const started = performance.now();
    const out = f();
    if (readOutput) await out.data();
    const elapsed = performance.now() - started;
    out.dispose();
    if (i > 0) fastest = Math.min(fastest, elapsed);
  }
  return fastest;
}

/** Runs a kernel function directly (bypassing the registry) on tensors. */
function runKernelFunction(kernelFunc: tf.KernelFunc, inputs: Record<string, tf.Tensor>, attrs: tf.NamedAttrMap): tf.Tensor {
  const backend = tf.backend();
  const info = kernelFunc({ inputs: inputs as unknown as tf.NamedTensorInfoMap, attrs, backend }) as tf.TensorInfo;
  return tf.engine().makeTensorFromTensorInfo(info);
}

// The built-in kernel, as tfjs-backend-wasm registered it before the gap-fill wrapped it.
const builtInBackpropInput = builtInWasmKernel('Conv2DBackpropInput');

const shapes: Array<{ model: string; batch: number; size: number; inC: number; outC: number }> = [
  { model: 'VGG F conv2', batch: 256, size: 12, inC: 64, outC: 128 },
  { model: 'VGG F conv3', batch: 256, size: 6, inC: 128, outC: 256 },
  { model: 'VGG F conv4', batch: 256, size: 3, inC: 256, outC: 512 },
  { model: 'Conv4 block2', batch: 256, size: 14, inC: 8, outC: 16 },
  { model: 'Conv4 block3', batch: 256, size: 7, inC: 16, outC: 32 },
];

const rows: Array<Record<string, string | number>> = [];
for (const s of shapes) {
  const x = tf.randomNormal([s.batch, s.size, s.size, s.inC]) as tf.Tensor4D;
  const w = tf.randomNormal([3, 3, s.inC, s.outC]) as tf.Tensor4D;
  const dy = tf.randomNormal([s.batch, s.size, s.size, s.outC]) as tf.Tensor4D;
  const forward = await best(() => tf.conv2d(x, w, 1, 'same'));
  const dxOurs = await best(() => tf.conv2dTranspose(dy, w, x.shape, 1, 'same'));
  const attrs = { strides: [1, 1], pad: 'same', dataFormat: 'NHWC', dimRoundingMode: undefined, inputShape: x.shape } as unknown as tf.NamedAttrMap;
  const dxBuiltIn = builtInBackpropInput ? await best(() => runKernelFunction(builtInBackpropInput, { dy, filter: w }, attrs)) : Number.NaN;
  const dw = await best(() => tf.tidy(() => tf.grad((filter: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(x, filter as tf.Tensor4D, 1, 'same'), dy)))(w)));
  rows.push({
    shape: `${s.model} ${s.batch}x${s.size}x${s.size}x${s.inC}→${s.outC}`,
    'forward conv ms': Number(forward.toFixed(1)),
    'dx built-in ms': Number(dxBuiltIn.toFixed(1)),
    'dx gap-fill ms': Number(dxOurs.toFixed(1)),
    'dx speed-up': Number((dxBuiltIn / dxOurs).toFixed(2)),
    'forward + dW (gap-fill) ms': Number(dw.toFixed(1)),
  });
  tf.dispose([x, w, dy]);
}
console.table(rows);

const a = tf.randomNormal([256, 2000]);
const g = tf.randomNormal([256, 500]);
const matmul = await best(() => tf.matMul(a, g, true, false));
console.log(`transposed product 2000x256 · 256x500 (a dense layer's dW): ${matmul.toFixed(1)} ms with the gap-fill routing`);

const builtInMaxPoolGrad = builtInWasmKernel('MaxPoolGrad');
const builtInIdentity = builtInWasmKernel('Identity');
const mapRows: Array<Record<string, string | number>> = [];
for (const [size, channels] of [[24, 16], [12, 32], [6, 64]]) {
  const input = tf.randomNormal([768, size, size, channels]) as tf.Tensor4D;
  const output = tf.maxPool(input, 2, 2, 'valid');
  const dy = tf.randomNormal(output.shape);
  const attrs = { filterSize: 2, strides: 2, pad: 'valid' } as unknown as tf.NamedAttrMap;
  const ours = await best(() => tf.engine().runKernel('MaxPoolGrad', { dy, input, output }, attrs) as tf.Tensor, false);
  const builtIn = builtInMaxPoolGrad ? await best(() => runKernelFunction(builtInMaxPoolGrad, { dy, input, output }, attrs), false) : Number.NaN;
  const cloneOurs = await best(() => tf.clone(input), false);
  const cloneBuiltIn = builtInIdentity ? await best(() => runKernelFunction(builtInIdentity, { x: input }, {}), false) : Number.NaN;
  mapRows.push({
    'feature map': `768x${size}x${size}x${channels}`,
    'MaxPoolGrad 2x2 built-in ms': Number(builtIn.toFixed(1)),
    'MaxPoolGrad 2x2 gap-fill ms': Number(ours.toFixed(1)),
    'Identity built-in (copy) ms': Number(cloneBuiltIn.toFixed(2)),
    'Identity gap-fill (shared) ms': Number(cloneOurs.toFixed(2)),
  });
  tf.dispose([input, output, dy]);
}
console.table(mapRows);

const filterRows: Array<Record<string, string | number>> = [];
for (const [size, inC, outC] of [[24, 1, 16], [24, 2, 16], [24, 3, 16], [12, 16, 32]]) {
  const x = tf.randomNormal([768, size, size, inC]);
  const dy = tf.randomNormal([768, size, size, outC]);
  const attrs = { strides: [1, 1], pad: 'same', dataFormat: 'NHWC', filterShape: [3, 3, inC, outC] } as unknown as tf.NamedAttrMap;
  const convolution = await best(() => runKernelFunction(conv2dBackpropFilterAsConvolution as unknown as tf.KernelFunc, { x, dy }, attrs));
  const product = await best(() => runKernelFunction(conv2dBackpropFilterAsProduct as unknown as tf.KernelFunc, { x, dy }, attrs));
  filterRows.push({
    'filter gradient': `768x${size}x${size}x${inC} → ${outC}, 3x3`,
    'as a convolution ms': Number(convolution.toFixed(1)),
    'as the patches product ms': Number(product.toFixed(1)),
    'the kernel takes': 9 * inC <= PATCH_PRODUCT_MAX_ROWS ? 'product' : 'convolution',
  });
  tf.dispose([x, dy]);
}
console.table(filterRows);
console.log(`RESULT ${JSON.stringify({ rows, transposedMatMulMs: matmul, mapRows, filterRows })}`);
