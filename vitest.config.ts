import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Each file runs in its own process: TensorFlow.js keeps global engine state
    // (backend, registered kernels, tensor counts) that must not leak between suites.
    pool: 'forks',
    testTimeout: 120_000,
    // Test files already run two at a time on the 2-core CI machine: one wasm thread each (the
    // threaded path has its own test, test/backend/wasm_threads.test.ts, in child processes).
    env: { TFJS_UNSUPERVISED_THREADS: '1' },
    hookTimeout: 120_000,
    reporters: ['default'],
  },
});
