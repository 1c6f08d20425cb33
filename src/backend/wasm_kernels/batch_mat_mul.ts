import * as tf from '@tensorflow/tfjs';

import { release, runWasmKernel } from './kernel_utils.js';
import type { KernelArguments } from './kernel_utils.js';

/** Moves the last two axes of a TensorInfo ([..., m, n] → [..., n, m]) with wasm's Transpose. */
function transposeLastTwo(backend: KernelArguments['backend'], x: tf.TensorInfo): tf.TensorInfo {
  const rank = x.shape.length;
  const perm = Array.from({ length: rank }, (_, i) => i);
  perm[rank - 2] = rank - 1;
  perm[rank - 1] = rank - 2;
  return runWasmKernel('Transpose', backend, { x }, { perm });
}

/**
 * A faster `BatchMatMul` / `_FusedMatMul` with transposed operands for wasm. The built-in kernels
 * are fast (XNNPACK) only for A·B; with `transposeA` or `transposeB` — what every dense layer's
 * gradient asks for (dW = xᵀ·dy, dx = dy·Wᵀ) — they were ~12x slower here. This wrapper
 * transposes the operand explicitly (a fast copy) and runs the untransposed product:
 *
 *   op(A, B, transposeA, transposeB) = op(transpose(A)?, transpose(B)?, false, false)
 *
 * Results are identical up to float rounding order.
 */
export function makeTransposingMatMul(original: tf.KernelFunc, operandNames: [string, string]): tf.KernelFunc {
  const [aName, bName] = operandNames;
  return ((args: KernelArguments) => {
    const { inputs, attrs = {}, backend } = args;
    if (!attrs.transposeA && !attrs.transposeB) return original(args as unknown as Parameters<tf.KernelFunc>[0]);
    const temporaries: tf.TensorInfo[] = [];
    const a = attrs.transposeA ? transposeLastTwo(backend, inputs[aName]) : inputs[aName];
    if (attrs.transposeA) temporaries.push(a);
    const b = attrs.transposeB ? transposeLastTwo(backend, inputs[bName]) : inputs[bName];
    if (attrs.transposeB) temporaries.push(b);
    try {
      return original({ inputs: { ...inputs, [aName]: a, [bName]: b }, attrs: { ...attrs, transposeA: false, transposeB: false }, backend } as unknown as Parameters<tf.KernelFunc>[0]);
    } finally {
      release(backend, ...temporaries);
    }
  }) as unknown as tf.KernelFunc;
}
