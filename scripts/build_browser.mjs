/**
 * The browser bundle: dist/browser/tfjs-unsupervised.js, one self-contained, minified ES module
 * built by esbuild from src/browser.ts (the core entry's exports and `tf`, with TF.js core, layers
 * and the cpu, webgl, wasm and webgpu backends inside), and the wasm backend's three .wasm files
 * copied beside it (the bundle points the wasm backend at its own folder). Prints the sizes, raw
 * and gzipped. Fails when esbuild reports an error or a warning, or when anything is left imported.
 *
 * Fully minified (whitespace, syntax and identifiers). Class names are not part of anything the
 * library reads back: each method saves and loads under its static `methodName`, TF.js classes
 * under their static `className`. esbuild's keepNames stays off: it would break the wasm backend's
 * threaded build, whose pthread workers run the factory function's source text, where keepNames'
 * helper does not exist.
 *
 * Run by `npm run build` after tsc; alone: `node scripts/build_browser.mjs`. The browser tests and
 * the demo server build the same bundle through {@link writeBrowserBundle}.
 */
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

/** The name of the bundle in its folder. */
export const BUNDLE_NAME = 'tfjs-unsupervised.js';

/**
 * esbuild's options for the bundle written to `outfile`.
 *
 * @param {string} outfile
 * @returns {import('esbuild').BuildOptions}
 */
export function browserBundleOptions(outfile) {
  return {
    entryPoints: [join(root, 'src', 'browser.ts')],
    outfile,
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2020',
    minify: true,
    sourcemap: false,
    legalComments: 'eof',
    metafile: true,
    logLevel: 'silent',
  };
}

/** @param {{ location?: { file: string; line: number } | null; text?: string; message?: string }} message */
const describeMessage = (message) => `  ${message.location ? `${message.location.file}:${message.location.line}: ` : ''}${message.text ?? message.message}`;

/**
 * Builds the bundle into `folder` (created, and emptied first when `clean`) with the three .wasm
 * files of @tensorflow/tfjs-backend-wasm beside it.
 *
 * @param {string} folder
 * @param {{ clean?: boolean }} [options]
 * @returns {Promise<{ bundle: string; wasmFiles: string[] }>} the bundle's path and the .wasm files' paths.
 * @throws when esbuild fails or warns (other than about import.meta, which the bundle uses on
 *   purpose), when the bundle imports anything (a Node built-in or another module), or when the
 *   .wasm files are not the expected three.
 */
export async function writeBrowserBundle(folder, { clean = false } = {}) {
  if (clean) rmSync(folder, { recursive: true, force: true });
  mkdirSync(folder, { recursive: true });
  const bundle = join(folder, BUNDLE_NAME);
  let result;
  try {
    result = await build(browserBundleOptions(bundle));
  } catch (error) {
    throw new Error(`build_browser: esbuild failed:\n${(error.errors ?? [error]).map(describeMessage).join('\n')}`);
  }
  const warnings = result.warnings.filter((warning) => !/"import\.meta" is not available/.test(warning.text));
  if (warnings.length > 0) throw new Error(`build_browser: esbuild warnings:\n${warnings.map(describeMessage).join('\n')}`);
  const builtins = new Set([...builtinModules, ...builtinModules.map((name) => `node:${name}`)]);
  const leftImports = Object.values(result.metafile.outputs).flatMap((output) => output.imports.map((i) => i.path));
  if (leftImports.length > 0) {
    throw new Error(`build_browser: the bundle still imports ${leftImports.join(', ')} (${leftImports.filter((p) => builtins.has(p)).length} Node built-ins); it must be self-contained.`);
  }
  const wasmFolder = join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
  const names = readdirSync(wasmFolder).filter((name) => name.endsWith('.wasm'));
  if (names.length !== 3) throw new Error(`build_browser: expected the three .wasm files of @tensorflow/tfjs-backend-wasm in ${wasmFolder}, found ${names.join(', ') || 'none'}.`);
  for (const name of names) copyFileSync(join(wasmFolder, name), join(folder, name));
  return { bundle, wasmFiles: names.map((name) => join(folder, name)) };
}

/** Raw and gzipped (level 9) sizes of a file, in KiB, for the build's log line. */
function sizes(file) {
  const bytes = readFileSync(file);
  const kib = (count) => `${(count / 1024).toFixed(0)} KiB`;
  return `${kib(bytes.length)} (gzipped ${kib(gzipSync(bytes, { level: 9 }).length)})`;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const { bundle, wasmFiles } = await writeBrowserBundle(join(root, 'dist', 'browser'), { clean: true });
    for (const file of [bundle, ...wasmFiles]) console.log(`build_browser: ${relative(root, file)} ${sizes(file)}`);
  } catch (error) {
    console.error(error.message);
    process.exit(1);
  }
}
