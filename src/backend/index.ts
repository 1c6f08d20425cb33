export { initBackend, availableBackends, formatBackendInfo, BACKEND_NAMES, NATIVE_PACKAGES, BACKEND_ENVIRONMENT_VARIABLE } from './init_backend.js';
export { defaultWasmThreads, MAX_WASM_THREADS, THREADS_ENVIRONMENT_VARIABLE } from './wasm_threads.js';
export type { BackendInfo, BackendName, BackendRequest, InitBackendOptions } from './init_backend.js';
export { isSoftwareAdapter, SWIFTSHADER_ICD_PATH, webGpuDeviceLoss } from './webgpu.js';
export type { WebGpuAdapterDescription } from './webgpu.js';
export { builtInWebGpuKernel, WEBGPU_REPLACED_KERNELS } from './webgpu_kernels/index.js';
export { registerWasmGapFillKernels, builtInWasmKernel, WASM_GAP_FILL_KERNELS } from './wasm_kernels/index.js';
export { registerCpuGapFillKernels, builtInCpuKernel, CPU_GAP_FILL_KERNELS } from './cpu_kernels/index.js';
