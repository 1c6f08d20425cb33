/**
 * initBackend's native path (`auto` and `tensorflow` with @tensorflow/tfjs-node-gpu or
 * @tensorflow/tfjs-node installed) without the native packages, which this machine never has:
 * each case runs in a child process that sees stub packages of those names, found through
 * NODE_PATH (what `availableBackends` resolves) and a module-resolution hook (what `import()`
 * loads). A working stub registers a `tensorflow` backend in this library's @tensorflow/tfjs (the
 * cpu backend's kernels under that name), as the real packages do; the others fail as real
 * installs can: a missing shared library, or a backend registered in another copy of tfjs.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const directory = mkdtempSync(path.join(tmpdir(), 'tfjs-unsupervised-native-stub-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

/** How a stub package behaves when imported. */
type StubBehaviour = 'works' | 'works-on-gpu' | 'missing-library' | 'other-tfjs-copy';

const STUB_SOURCE: Record<StubBehaviour, string> = {
  // Registers `tensorflow` in the library's tfjs with the cpu kernels, as tfjs-node registers its own.
  works: `import * as tf from '@tensorflow/tfjs';
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
tf.registerBackend('tensorflow', () => new MathBackendCPU());
for (const kernel of tf.getKernelsForBackend('cpu')) tf.registerKernel({ ...kernel, backendName: 'tensorflow' });
`,
  'works-on-gpu': `import * as tf from '@tensorflow/tfjs';
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
tf.registerBackend('tensorflow', () => Object.assign(new MathBackendCPU(), { isUsingGpuDevice: true }));
for (const kernel of tf.getKernelsForBackend('cpu')) tf.registerKernel({ ...kernel, backendName: 'tensorflow' });
`,
  'missing-library': `throw new Error('libtensorflow.so.2: cannot open shared object file: No such file or directory\\n    at Module._extensions..node');
`,
  // Loads without registering anything in the library's tfjs (as when it depends on another copy).
  'other-tfjs-copy': `export const version = 'stub';
`,
};

/** What the child prints: the result of each step, or its error message. */
interface ChildReport {
  available: string[];
  tensorflow: { info?: unknown; formatted?: string; error?: string; sum?: number[] };
  auto: { info?: unknown; formatted?: string };
}

const CHILD_SOURCE = `import * as tf from '@tensorflow/tfjs';
import { availableBackends, formatBackendInfo, initBackend } from ${JSON.stringify(pathToFileURL(path.join(root, 'src/backend/init_backend.ts')).href)};
const report = { available: availableBackends(), tensorflow: {}, auto: {} };
try {
  const info = await initBackend({ backend: 'tensorflow' });
  report.tensorflow = { info, formatted: formatBackendInfo(info), sum: Array.from(await tf.add(tf.tensor1d([1, 2]), tf.tensor1d([3, 4])).data()) };
} catch (error) {
  report.tensorflow = { error: error.message };
}
const auto = await initBackend({ backend: 'auto', threads: 1 });
report.auto = { info: auto, formatted: formatBackendInfo(auto) };
console.log(JSON.stringify(report));
`;

/**
 * Resolves the stub packages to their files; what the child and the stubs import (from the
 * temporary folder) resolves as from the library, so that all share its @tensorflow/tfjs.
 */
const HOOKS_SOURCE = `const stubs = JSON.parse(process.env.NATIVE_STUBS ?? '{}');
const libraryParent = ${JSON.stringify(pathToFileURL(path.join(root, 'src/backend/init_backend.ts')).href)};
const temporary = ${JSON.stringify(pathToFileURL(directory).href + '/')};
export async function resolve(specifier, context, nextResolve) {
  if (stubs[specifier] !== undefined) return { url: stubs[specifier], format: 'module', shortCircuit: true };
  if (context.parentURL?.startsWith(temporary) && !specifier.startsWith('.') && !specifier.startsWith('file:') && !specifier.startsWith('node:')) {
    return nextResolve(specifier, { ...context, parentURL: libraryParent });
  }
  return nextResolve(specifier, context);
}
`;

writeFileSync(path.join(directory, 'package.json'), JSON.stringify({ type: 'module' }));
writeFileSync(path.join(directory, 'child.ts'), CHILD_SOURCE);
writeFileSync(path.join(directory, 'hooks.mjs'), HOOKS_SOURCE);
writeFileSync(path.join(directory, 'register.mjs'), `import { register } from 'node:module';\nregister('./hooks.mjs', import.meta.url);\n`);

/** Runs the child with the given stub packages installed (in their own node_modules folder). */
function runWithStubs(name: string, stubs: Partial<Record<'@tensorflow/tfjs-node-gpu' | '@tensorflow/tfjs-node', StubBehaviour>>): ChildReport {
  const modules = path.join(directory, name, 'node_modules');
  const urls: Record<string, string> = {};
  for (const [packageName, behaviour] of Object.entries(stubs)) {
    const folder = path.join(modules, ...packageName.split('/'));
    mkdirSync(folder, { recursive: true });
    writeFileSync(path.join(folder, 'package.json'), JSON.stringify({ name: packageName, version: '4.22.0', type: 'module', main: 'index.js' }));
    writeFileSync(path.join(folder, 'index.js'), STUB_SOURCE[behaviour]);
    urls[packageName] = pathToFileURL(path.join(folder, 'index.js')).href;
  }
  const child = spawnSync(process.execPath, ['--import', 'tsx', '--import', pathToFileURL(path.join(directory, 'register.mjs')).href, path.join(directory, 'child.ts')], {
    cwd: root,
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, NODE_PATH: modules, NATIVE_STUBS: JSON.stringify(urls), TFJS_UNSUPERVISED_BACKEND: '' },
  });
  expect(child.status, child.stderr.slice(-2000)).toBe(0);
  return JSON.parse(child.stdout.trim().split('\n').pop() ?? '') as ChildReport;
}

describe('initBackend with a native package installed (stub packages, child processes)', () => {
  it('auto and tensorflow pick tfjs-node when it loads: native, cpu device, and ops run on it', () => {
    const report = runWithStubs('node', { '@tensorflow/tfjs-node': 'works' });
    // Native first; webgpu is listed too where its packages are installed (this project's dev dependencies).
    expect(report.available[0]).toBe('tensorflow');
    expect(report.available.slice(-2)).toEqual(['wasm', 'cpu']);
    expect(report.tensorflow.info).toEqual({ name: 'tensorflow', device: 'cpu', native: true, package: '@tensorflow/tfjs-node' });
    expect(report.tensorflow.formatted).toBe('backend tensorflow (cpu, native) via @tensorflow/tfjs-node');
    expect(report.tensorflow.sum).toEqual([4, 6]);
    expect(report.auto.info).toEqual(report.tensorflow.info);
  });

  it('prefers tfjs-node-gpu, and reports the gpu device when its backend uses one', () => {
    const report = runWithStubs('gpu', { '@tensorflow/tfjs-node-gpu': 'works-on-gpu', '@tensorflow/tfjs-node': 'works' });
    expect(report.tensorflow.info).toEqual({ name: 'tensorflow', device: 'gpu', native: true, package: '@tensorflow/tfjs-node-gpu' });
    expect(report.tensorflow.formatted).toBe('backend tensorflow (gpu, native) via @tensorflow/tfjs-node-gpu');
    expect(report.auto.info).toEqual(report.tensorflow.info);
  });

  it('names why each installed native package failed, and auto falls back to the next backend', () => {
    const report = runWithStubs('broken', { '@tensorflow/tfjs-node-gpu': 'missing-library', '@tensorflow/tfjs-node': 'other-tfjs-copy' });
    expect(report.available[0]).toBe('tensorflow');
    expect(report.tensorflow.error).toMatch(
      /^Backend 'tensorflow' \(from initBackend\(\{ backend \}\)\) is not available: @tensorflow\/tfjs-node-gpu: libtensorflow\.so\.2: cannot open shared object file: No such file or directory; @tensorflow\/tfjs-node: loaded, but it registered its backend in another copy of @tensorflow\/tfjs \(install the same version as this library's @tensorflow\/tfjs 4\.22\.0\)\./,
    );
    // webgpu where a hardware adapter exists, else wasm.
    expect(report.auto.info).toMatchObject({ native: false, device: expect.any(String) });
    expect(['webgpu', 'wasm']).toContain((report.auto.info as { name: string }).name);
  });
});
