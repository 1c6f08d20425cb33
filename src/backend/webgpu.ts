/**
 * The `webgpu` backend: `@tensorflow/tfjs-backend-webgpu` on the browser's own WebGPU, or in Node on
 * Dawn through the `webgpu` npm package (dawn.node: Vulkan on Linux, Metal on macOS, D3D12 on
 * Windows). Node-only modules are imported dynamically, so a browser bundle never loads them.
 *
 * SwiftShader: on Linux, when `webgpu` is asked for by name and the default Vulkan drivers give no
 * adapter, the SwiftShader Vulkan driver that Debian's `chromium` package ships
 * ({@link SWIFTSHADER_ICD_PATH}) is tried: `VK_ICD_FILENAMES` is set in this process (only when
 * neither it nor `VK_DRIVER_FILES` is set already) and a second Dawn instance is created, whose
 * Vulkan loader reads the variable then. The variable stays set (child processes inherit it).
 * `auto` never does this, and never uses a software adapter: SwiftShader is far slower than wasm.
 */
import * as tf from '@tensorflow/tfjs';

import { importNodeOnly, nodeBuiltin } from '../core/environment.js';
import { registerWebGpuKernels } from './webgpu_kernels/index.js';

/** The Vulkan driver manifest of SwiftShader inside Debian's `chromium` package. */
export const SWIFTSHADER_ICD_PATH = '/usr/lib/chromium/vk_swiftshader_icd.json';

/** The WebGPU adapter a `webgpu` backend runs on. */
export interface WebGpuAdapterDescription {
  /** Vendor as the adapter reports it, e.g. `nvidia`, `google` (SwiftShader), `apple`. */
  vendor: string;
  /** Architecture, e.g. `hopper`, `swiftshader`; may be empty. */
  architecture: string;
  /** Driver or device description; may be empty (browsers often hide it). */
  description: string;
  /** True for a software rasteriser (SwiftShader, lavapipe/llvmpipe, WARP): correct but slow. */
  software: boolean;
}

/** The parts of WebGPU's `GPUAdapterInfo` this module reads. */
interface AdapterInfoLike {
  vendor?: string;
  architecture?: string;
  description?: string;
  device?: string;
  isFallbackAdapter?: boolean;
}

/** The parts of WebGPU's `GPUAdapter` this module reads. */
interface AdapterLike {
  info?: AdapterInfoLike;
  isFallbackAdapter?: boolean;
}

/** The parts of WebGPU's `GPU` (navigator.gpu) this module uses. */
interface GpuLike {
  requestAdapter(options?: { powerPreference?: 'high-performance' | 'low-power' }): Promise<AdapterLike | null>;
}

/** The `webgpu` npm package's exports. */
interface DawnModule {
  create(flags: string[]): GpuLike;
  globals: Record<string, unknown>;
}

/** What {@link probeWebGpu} found: the adapter, or why there is none. */
export type WebGpuProbe =
  | { ok: true; adapter: WebGpuAdapterDescription; swiftShaderEnabled: boolean }
  | { ok: false; reason: string };

const SOFTWARE_ADAPTER = /swiftshader|llvmpipe|lavapipe|softpipe|software|basic render|warp/i;

/** Whether an adapter is a software one (by its own flag, or by a known software driver's name). */
export function isSoftwareAdapter(info: AdapterInfoLike, fallbackFlag = false): boolean {
  if (fallbackFlag || info.isFallbackAdapter === true) return true;
  return SOFTWARE_ADAPTER.test(`${info.vendor ?? ''} ${info.architecture ?? ''} ${info.description ?? ''} ${info.device ?? ''}`);
}

function describeAdapter(adapter: AdapterLike): WebGpuAdapterDescription {
  const info = adapter.info ?? {};
  return {
    vendor: info.vendor ?? '',
    architecture: info.architecture ?? '',
    description: info.description ?? '',
    software: isSoftwareAdapter(info, adapter.isFallbackAdapter === true),
  };
}

/** True in Node (not in a browser or a browser worker). */
function inNode(): boolean {
  return typeof process !== 'undefined' && typeof process.versions?.node === 'string' && !('document' in globalThis);
}

/** The browser's navigator.gpu, if any. */
function browserGpu(): GpuLike | undefined {
  const navigatorLike = (globalThis as { navigator?: { gpu?: GpuLike } }).navigator;
  return navigatorLike?.gpu;
}

const LINUX_DRIVER_HINT =
  'on Linux WebGPU needs a Vulkan loader and a Vulkan driver: `apt-get install libvulkan1` plus your GPU vendor\'s Vulkan driver ' +
  `(NVIDIA: the proprietary driver's Vulkan ICD; AMD/Intel: mesa-vulkan-drivers), or, for a slow software GPU, \`apt-get install chromium\` (SwiftShader at ${SWIFTSHADER_ICD_PATH})`;

/** The hint for a machine where no adapter was found. */
function noAdapterHint(): string {
  if (!inNode()) return 'this browser exposes no WebGPU adapter (Chrome/Edge 113+ on a secure origin, or Firefox/Safari with WebGPU enabled)';
  if (process.platform === 'linux') return LINUX_DRIVER_HINT;
  if (process.platform === 'darwin') return 'on macOS WebGPU runs on Metal (macOS 11+)';
  if (process.platform === 'win32') return 'on Windows WebGPU needs a D3D12 GPU driver';
  return `dawn.node has no build for ${process.platform}-${process.arch}`;
}

let dawn: DawnModule | undefined;

/** Loads the `webgpu` package (dawn.node) and installs its WebGPU globals (GPUBufferUsage, …) once. */
async function loadDawn(): Promise<DawnModule> {
  if (dawn === undefined) {
    const loaded = await importNodeOnly<DawnModule>('webgpu', 'webgpu in Node (Dawn)');
    for (const [name, value] of Object.entries(loaded.globals)) {
      if (!(name in globalThis)) (globalThis as Record<string, unknown>)[name] = value;
    }
    dawn = loaded;
  }
  return dawn;
}

/** Creates a Dawn instance and asks it for an adapter; XDG_RUNTIME_DIR is lent while it looks (it only silences a warning). */
async function requestDawnAdapter(module: DawnModule): Promise<{ gpu: GpuLike; adapter: AdapterLike | null }> {
  const setRuntimeDirectory = process.env.XDG_RUNTIME_DIR === undefined;
  if (setRuntimeDirectory) process.env.XDG_RUNTIME_DIR = nodeBuiltin('node:os', 'webgpu in Node (Dawn)').tmpdir();
  try {
    const gpu = module.create([]);
    const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
    return { gpu, adapter };
  } finally {
    if (setRuntimeDirectory) delete process.env.XDG_RUNTIME_DIR;
  }
}

/** Makes `gpu` the global navigator.gpu that tfjs-backend-webgpu reads. */
function installNavigatorGpu(gpu: GpuLike): void {
  const holder = globalThis as { navigator?: object };
  if (holder.navigator === undefined) {
    holder.navigator = { gpu };
  } else {
    Object.defineProperty(holder.navigator, 'gpu', { value: gpu, configurable: true, writable: true });
  }
}

let probed: WebGpuProbe | undefined;
let probedWithSwiftShader = false;

/**
 * Looks for a WebGPU adapter without starting a backend. In Node: loads `webgpu`, asks Dawn for a
 * high-performance adapter and, when that fails and `trySwiftShader` is set, on Linux, retries
 * with SwiftShader (see the module notes). On success the adapter's GPU object becomes
 * `navigator.gpu`. The result is remembered (a second probe costs nothing), except that a failed
 * probe is retried once with `trySwiftShader`.
 */
export async function probeWebGpu(trySwiftShader: boolean): Promise<WebGpuProbe> {
  if (probed !== undefined && (probed.ok || !trySwiftShader || probedWithSwiftShader)) return probed;
  probed = await probeOnce(trySwiftShader);
  probedWithSwiftShader = trySwiftShader;
  return probed;
}

async function probeOnce(trySwiftShader: boolean): Promise<WebGpuProbe> {
  if (!inNode()) {
    const gpu = browserGpu();
    if (gpu === undefined) return { ok: false, reason: `navigator.gpu is absent: ${noAdapterHint()}` };
    const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
    if (adapter === null) return { ok: false, reason: `navigator.gpu gave no adapter: ${noAdapterHint()}` };
    return { ok: true, adapter: describeAdapter(adapter), swiftShaderEnabled: false };
  }
  let module: DawnModule;
  try {
    module = await loadDawn();
  } catch (error) {
    const message = (error as Error).message.split('\n')[0];
    const missing = /Cannot find (package|module) 'webgpu'/.test(message);
    return {
      ok: false,
      reason: missing
        ? "the npm package 'webgpu' (Dawn for Node) is not installed: npm install webgpu @tensorflow/tfjs-backend-webgpu"
        : `the npm package 'webgpu' did not load (${message}); ${noAdapterHint()}`,
    };
  }
  let { gpu, adapter } = await requestDawnAdapter(module);
  let swiftShaderEnabled = false;
  if (adapter === null && trySwiftShader && process.platform === 'linux') {
    const { existsSync } = nodeBuiltin('node:fs', 'webgpu in Node (SwiftShader)');
    if (process.env.VK_ICD_FILENAMES === undefined && process.env.VK_DRIVER_FILES === undefined && existsSync(SWIFTSHADER_ICD_PATH)) {
      process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD_PATH;
      ({ gpu, adapter } = await requestDawnAdapter(module));
      swiftShaderEnabled = adapter !== null;
      if (adapter === null) delete process.env.VK_ICD_FILENAMES;
    }
  }
  if (adapter === null) return { ok: false, reason: `Dawn found no WebGPU adapter: ${noAdapterHint()}` };
  installNavigatorGpu(gpu);
  return { ok: true, adapter: describeAdapter(adapter), swiftShaderEnabled };
}

let webGpuPackageLoaded = false;
let deviceLossMessage: string | undefined;
const watchedBackends = new WeakSet<object>();

/** The parts of tfjs-backend-webgpu's backend that a lost device makes fail. */
interface WebGpuBackendInternals {
  device?: { lost?: Promise<{ reason?: string; message?: string }> };
  read?: (...args: unknown[]) => Promise<unknown>;
  readSync?: (...args: unknown[]) => unknown;
  runWebGPUProgram?: (...args: unknown[]) => unknown;
  write?: (...args: unknown[]) => unknown;
}

/**
 * Why the webgpu device was lost in this process (a driver reset, the GPU removed, out of
 * memory…), or undefined while it works. After a loss every webgpu operation throws this message.
 */
export function webGpuDeviceLoss(): string | undefined {
  return deviceLossMessage;
}

/**
 * When the device is lost, makes every later operation of that backend (run a shader, read or
 * write a tensor) throw one clear error instead of Dawn's empty-message rejections, and says on
 * stderr how to continue. A pending promise: it does not keep the process alive.
 */
function watchDeviceLoss(backend: WebGpuBackendInternals): void {
  if (watchedBackends.has(backend) || backend.device?.lost === undefined) return;
  watchedBackends.add(backend);
  void backend.device.lost.then((info) => {
    const detail = [info.reason, info.message].filter((part) => part !== undefined && part !== '').join(': ');
    deviceLossMessage =
      `webgpu: the GPU device was lost (${detail || 'no reason given'}); the tensors on it are gone and nothing more runs on webgpu in this process. ` +
      'Checkpoints already written are intact: continue on another backend, e.g. `tfjs-unsupervised train --out <run> --resume --backend wasm`.';
    const fail = (): never => {
      throw new Error(deviceLossMessage);
    };
    backend.runWebGPUProgram = fail;
    backend.readSync = fail;
    backend.write = fail;
    backend.read = () => Promise.reject(new Error(deviceLossMessage));
    console.error(deviceLossMessage);
  });
}

/**
 * Starts tfjs-backend-webgpu on the adapter {@link probeWebGpu} found (the caller probes first):
 * imports the package (it registers `webgpu` only when navigator.gpu exists), registers this
 * library's webgpu kernels and makes `webgpu` the active backend.
 *
 * @throws when the package is missing or the backend does not start on the adapter.
 */
export async function startWebGpuBackend(): Promise<void> {
  if (!webGpuPackageLoaded) {
    let webGpuPackage: typeof import('@tensorflow/tfjs-backend-webgpu');
    try {
      webGpuPackage = await import('@tensorflow/tfjs-backend-webgpu');
    } catch (error) {
      const message = (error as Error).message.split('\n')[0];
      throw new Error(
        /Cannot find (package|module)/.test(message)
          ? "the npm package '@tensorflow/tfjs-backend-webgpu' is not installed: npm install @tensorflow/tfjs-backend-webgpu@" + tf.version.tfjs
          : `@tensorflow/tfjs-backend-webgpu did not load: ${message}`,
      );
    }
    if (tf.findBackendFactory('webgpu') === null) {
      throw new Error(
        '@tensorflow/tfjs-backend-webgpu loaded but registered no backend in this copy of @tensorflow/tfjs ' +
          `(install the same version as this library's @tensorflow/tfjs ${tf.version.tfjs}, and make sure navigator.gpu exists before it loads)`,
      );
    }
    registerWebGpuKernels(webGpuPackage.webgpu_util);
    webGpuPackageLoaded = true;
  }
  if (deviceLossMessage !== undefined) throw new Error(deviceLossMessage);
  if (tf.getBackend() !== 'webgpu') {
    const ok = await tf.setBackend('webgpu');
    await tf.ready();
    if (!ok || tf.getBackend() !== 'webgpu') throw new Error('tf.setBackend("webgpu") failed: the adapter gave no device');
  }
  watchDeviceLoss(tf.backend() as unknown as WebGpuBackendInternals);
}
