/**
 * The browser bundle: dist/browser/tfjs-unsupervised.js, one self-contained, minified ES module
 * built by esbuild from src/browser.ts (the core entry's exports and `tf`, with TF.js core, layers
 * and the cpu, webgl, wasm and webgpu backends inside), and the wasm backend's three .wasm files
 * copied beside it (the bundle points the wasm backend at its own folder). Prints the sizes, raw
 * and gzipped. Fails when esbuild reports an error or a warning, or when a Node built-in is left
 * imported.
 *
 * Run by `npm run build` after tsc; alone: `node scripts/build_browser.mjs`.
 */
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const output = join(root, 'dist', 'browser');
const bundleFile = join(output, 'tfjs-unsupervised.js');
const require = createRequire(import.meta.url);

rmSync(output, { recursive: true, force: true });
mkdirSync(output, { recursive: true });
const result = await build({
  entryPoints: [join(root, 'src', 'browser.ts')],
  outfile: bundleFile,
  bundle: true,
  platform: 'browser',
  format: 'esm',
  target: 'es2020',
  // Whitespace and syntax minified, identifiers not: a class's name is part of the saved format
  // (MethodCore.load compares method.json's method with it), and esbuild's keepNames would
  // break the wasm backend's threaded build (its worker runs a function's source text).
  minifyWhitespace: true,
  minifySyntax: true,
  sourcemap: false,
  legalComments: 'eof',
  metafile: true,
  logLevel: 'silent',
}).catch((error) => {
  console.error(`build_browser: esbuild failed:\n${(error.errors ?? [error]).map((e) => `  ${e.location ? `${e.location.file}:${e.location.line}: ` : ''}${e.text ?? e.message}`).join('\n')}`);
  process.exit(1);
});
const warnings = result.warnings.filter((warning) => !/"import\.meta" is not available/.test(warning.text));
if (warnings.length > 0) {
  console.error(`build_browser: esbuild warnings:\n${warnings.map((w) => `  ${w.location ? `${w.location.file}:${w.location.line}: ` : ''}${w.text}`).join('\n')}`);
  process.exit(1);
}
const builtins = new Set([...builtinModules, ...builtinModules.map((name) => `node:${name}`)]);
const leftImports = Object.values(result.metafile.outputs).flatMap((o) => o.imports.map((i) => i.path));
if (leftImports.length > 0) {
  console.error(`build_browser: the bundle still imports ${leftImports.join(', ')} (${leftImports.filter((p) => builtins.has(p)).length} Node built-ins); it must be self-contained.`);
  process.exit(1);
}

const wasmFolder = join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
const wasmFiles = readdirSync(wasmFolder).filter((name) => name.endsWith('.wasm'));
if (wasmFiles.length !== 3) {
  console.error(`build_browser: expected the three .wasm files of @tensorflow/tfjs-backend-wasm in ${wasmFolder}, found ${wasmFiles.join(', ') || 'none'}.`);
  process.exit(1);
}
for (const name of wasmFiles) copyFileSync(join(wasmFolder, name), join(output, name));

const kib = (bytes) => `${(bytes / 1024).toFixed(0)} KiB`;
const bundle = readFileSync(bundleFile);
console.log(`build_browser: ${relative(root, bundleFile)} ${kib(bundle.length)} (gzipped ${kib(gzipSync(bundle, { level: 9 }).length)}), ${Object.keys(result.metafile.inputs).length} modules`);
for (const name of wasmFiles) {
  const bytes = readFileSync(join(output, name));
  console.log(`build_browser: ${relative(root, join(output, name))} ${kib(statSync(join(output, name)).size)} (gzipped ${kib(gzipSync(bytes, { level: 9 }).length)})`);
}
