import * as tf from '@tensorflow/tfjs';

/** What a cpu kernel function receives (the parts this kernel uses). */
interface CpuKernelArguments {
  inputs: Record<string, tf.TensorInfo>;
  attrs?: Record<string, unknown>;
  backend: tf.KernelBackend;
}

type FillMode = 'constant' | 'reflect' | 'wrap' | 'nearest';
type Interpolation = 'nearest' | 'bilinear';

const FILL_MODES: readonly FillMode[] = ['constant', 'reflect', 'wrap', 'nearest'];

/**
 * Maps a sampling coordinate into [0, size − 1] by the fill mode (for `constant` it stays as it is
 * and reads outside give the fill value), as TensorFlow's image transform defines them:
 *
 * - `reflect`: mirrored about the edges, edge pixels repeated (d c b a | a b c d | d c b a);
 * - `wrap`: the image tiled, with TensorFlow's period arithmetic (steps of size − 1 decide how
 *   many periods of `size` are taken off), which the wasm kernel shares;
 * - `nearest`: clamped to the edge.
 */
function mapCoordinate(coordinate: number, size: number, fillMode: FillMode): number {
  if (fillMode === 'constant') return coordinate;
  if (fillMode === 'nearest') return Math.min(Math.max(coordinate, 0), size - 1);
  let mapped = coordinate;
  if (size <= 1) {
    mapped = 0;
  } else if (fillMode === 'reflect') {
    const period = 2 * size;
    if (mapped < 0 || mapped > size - 1) {
      mapped -= period * Math.floor(mapped / period);
      if (mapped >= size) mapped = period - 1 - mapped;
    }
  } else if (mapped < 0) {
    mapped += size * (Math.trunc(-mapped / (size - 1)) + 1);
  } else if (mapped > size - 1) {
    mapped -= size * Math.trunc(mapped / (size - 1));
  }
  // A coordinate like 3.5 in a row of 4 would round to 4 in nearest interpolation.
  return Math.min(Math.max(mapped, 0), size - 1);
}

/**
 * `Transform` (`tf.image.transform`) for the `cpu` backend. tfjs-backend-cpu 4.22's own kernel
 * returns after the first image of the batch (its return sits inside the batch loop), leaving
 * every later image at the fill value; this one transforms every image.
 *
 * For output pixel (x, y) of image b with transform [a0, a1, a2, b0, b1, b2, c0, c1] (one per
 * image, or one for all), the input is sampled at ((a0 x + a1 y + a2) / k, (b0 x + b1 y + b2) / k)
 * with k = c0 x + c1 y + 1 (k = 0: the fill value), the coordinate mapped by the fill mode, then
 * read by nearest (rounded half away from zero) or bilinear interpolation; pixels outside the
 * image read as the fill value.
 */
export function transform({ inputs, attrs = {}, backend }: CpuKernelArguments): tf.TensorInfo {
  const { image, transforms } = inputs;
  const interpolation = attrs.interpolation as Interpolation;
  const fillMode = (FILL_MODES.includes(attrs.fillMode as FillMode) ? attrs.fillMode : 'constant') as FillMode;
  const fillValue = Number(attrs.fillValue ?? 0);
  if (interpolation !== 'nearest' && interpolation !== 'bilinear') {
    throw new Error(`cpu Transform: interpolation must be 'nearest' or 'bilinear', got '${String(interpolation)}'.`);
  }
  if (image.shape.length !== 4) throw new Error(`cpu Transform: the image must be 4-D [batch, height, width, channels], got [${image.shape}].`);
  const [batch, height, width, channels] = image.shape;
  const outputShape = attrs.outputShape as [number, number] | null | undefined;
  const [outHeight, outWidth] = outputShape ?? [height, width];
  const shared = transforms.shape[0] === 1;
  if (transforms.shape.length !== 2 || transforms.shape[1] !== 8 || (!shared && transforms.shape[0] !== batch)) {
    throw new Error(`cpu Transform: transforms must be [1, 8] or [${batch}, 8], got [${transforms.shape}].`);
  }

  const pixels = backend.readSync(image.dataId) as Float32Array | Int32Array;
  const matrices = backend.readSync(transforms.dataId) as Float32Array;
  const size = batch * outHeight * outWidth * channels;
  const out = image.dtype === 'int32' ? new Int32Array(size) : new Float32Array(size);
  out.fill(fillValue);

  const rowStride = width * channels;
  const imageStride = height * rowStride;
  /** The value at integer (x, y), channel c of image b, or the fill value outside the image. */
  const read = (b: number, y: number, x: number, c: number): number =>
    y >= 0 && y < height && x >= 0 && x < width ? pixels[b * imageStride + y * rowStride + x * channels + c] : fillValue;

  let index = 0;
  for (let b = 0; b < batch; b++) {
    const t = shared ? 0 : b * 8;
    const [a0, a1, a2, b0, b1, b2, c0, c1] = [matrices[t], matrices[t + 1], matrices[t + 2], matrices[t + 3], matrices[t + 4], matrices[t + 5], matrices[t + 6], matrices[t + 7]];
    for (let outY = 0; outY < outHeight; outY++) {
      for (let outX = 0; outX < outWidth; outX++, index += channels) {
        const projection = c0 * outX + c1 * outY + 1;
        if (projection === 0) continue;
        const x = mapCoordinate((a0 * outX + a1 * outY + a2) / projection, width, fillMode);
        const y = mapCoordinate((b0 * outX + b1 * outY + b2) / projection, height, fillMode);
        if (interpolation === 'nearest') {
          const nearestX = Math.sign(x) * Math.round(Math.abs(x));
          const nearestY = Math.sign(y) * Math.round(Math.abs(y));
          for (let c = 0; c < channels; c++) out[index + c] = read(b, nearestY, nearestX, c);
        } else {
          const x0 = Math.floor(x);
          const y0 = Math.floor(y);
          const wx = x - x0;
          const wy = y - y0;
          for (let c = 0; c < channels; c++) {
            const top = (1 - wx) * read(b, y0, x0, c) + wx * read(b, y0, x0 + 1, c);
            const bottom = (1 - wx) * read(b, y0 + 1, x0, c) + wx * read(b, y0 + 1, x0 + 1, c);
            out[index + c] = (1 - wy) * top + wy * bottom;
          }
        }
      }
    }
  }
  const shape = [batch, outHeight, outWidth, channels];
  return { dataId: backend.write(out, shape, image.dtype), shape, dtype: image.dtype };
}

/** The corrected `Transform` kernel's registration for the `cpu` backend. */
export const transformConfig: tf.KernelConfig = {
  kernelName: 'Transform',
  backendName: 'cpu',
  kernelFunc: transform as unknown as tf.KernelFunc,
};
