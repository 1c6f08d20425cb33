export { initBackend, availableBackends, formatBackendInfo, BACKEND_NAMES, NATIVE_PACKAGES, BACKEND_ENVIRONMENT_VARIABLE } from './init_backend.js';
export { defaultWasmThreads, MAX_WASM_THREADS, THREADS_ENVIRONMENT_VARIABLE } from './wasm_threads.js';
export type { BackendInfo, BackendRequest, InitBackendOptions } from './init_backend.js';
export { registerWasmGapFillKernels, builtInWasmKernel, WASM_GAP_FILL_KERNELS } from './wasm_kernels/index.js';
