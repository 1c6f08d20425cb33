/**
 * The CommonJS build: every ES module that `tsc -p tsconfig.build.json` wrote to dist/ is
 * converted, one file at a time (no bundling, so each module keeps one instance and its place
 * relative to the others), to CommonJS under dist/cjs/ with esbuild, and each declaration file is
 * copied beside it. dist/cjs/package.json says `"type": "commonjs"`, so Node loads those files
 * with `require` and TypeScript reads their declarations as CommonJS ones. `import.meta.url`
 * becomes the converted file's own URL. package.json's `require` conditions point here.
 *
 * Run after tsc (`npm run build` does both).
 */
import { transform } from 'esbuild';
import { copyFileSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
/** Left out: the command-line program (the `bin`), an ES module with top-level await, never required. */
const ESM_ONLY = new Set(['cli/main.js']);
const dist = join(root, 'dist');
const cjs = join(dist, 'cjs');

/** The self-contained browser bundle (scripts/build_browser.mjs): an ES module only, not converted. */
const browser = join(dist, 'browser');

/** Files under `folder`, recursively, as paths; dist/cjs itself and dist/browser are skipped. */
function filesUnder(folder) {
  const found = [];
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const full = join(folder, entry.name);
    if (entry.isDirectory()) {
      if (full !== cjs && full !== browser) found.push(...filesUnder(full));
    } else {
      found.push(full);
    }
  }
  return found;
}

let files;
try {
  files = filesUnder(dist);
} catch (error) {
  console.error(`build_cjs: cannot read ${dist} (run tsc -p tsconfig.build.json first): ${error.message}`);
  process.exit(1);
}
rmSync(cjs, { recursive: true, force: true });
let converted = 0;
let declarations = 0;
for (const file of files) {
  const target = join(cjs, relative(dist, file));
  if (file.endsWith('.d.ts')) {
    mkdirSync(dirname(target), { recursive: true });
    copyFileSync(file, target);
    declarations += 1;
  } else if (file.endsWith('.js') && !ESM_ONLY.has(relative(dist, file).split('\\').join('/'))) {
    const source = readFileSync(file, 'utf8');
    const usesImportMetaUrl = source.includes('import.meta.url');
    const result = await transform(source, {
      format: 'cjs',
      platform: 'node',
      target: 'node20',
      sourcefile: relative(root, file),
      define: usesImportMetaUrl ? { 'import.meta.url': '__importMetaUrl' } : {},
      banner: usesImportMetaUrl ? "const __importMetaUrl = require('node:url').pathToFileURL(__filename).href;" : '',
      logLevel: 'error',
    });
    if (result.warnings.length > 0) {
      console.error(`build_cjs: ${relative(root, file)}: ${result.warnings.map((warning) => warning.text).join('; ')}`);
      process.exit(1);
    }
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, result.code);
    converted += 1;
  }
}
writeFileSync(join(cjs, 'package.json'), JSON.stringify({ type: 'commonjs' }, null, 2) + '\n');
console.log(`build_cjs: ${converted} modules converted to CommonJS and ${declarations} declaration files copied into dist/cjs`);
