/**
 * Where the wasm backend's `.wasm` files are, when this library set it (the browser bundle points
 * TF.js at its own folder), so that a failed start can name the URLs it tried. Browser-safe.
 */

/** The `.wasm` files of `@tensorflow/tfjs-backend-wasm`: plain, SIMD, and threaded SIMD. */
export const WASM_FILES = ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm'] as const;

let folder: string | undefined;

/** Records the folder (URL ending in `/`) handed to TF.js's `setWasmPaths`. */
export function recordWasmFolder(url: string): void {
  folder = url;
}

/**
 * Why the wasm backend could not start, from the files' side: the URLs of the `.wasm` files that
 * do not answer 200 (fetched with HEAD), or a hint when the folder is not known here.
 */
export async function describeMissingWasmFiles(): Promise<string> {
  if (folder === undefined || typeof fetch !== 'function') {
    return 'its .wasm files were not found where TF.js looked (with a bundler, call setWasmPaths from @tensorflow/tfjs-backend-wasm with the folder that serves them)';
  }
  const failures: string[] = [];
  for (const name of WASM_FILES) {
    const url = new URL(name, folder).href;
    try {
      const response = await fetch(url, { method: 'HEAD' });
      if (!response.ok) failures.push(`${url} answered HTTP ${response.status}`);
    } catch (error) {
      failures.push(`${url} could not be fetched (${(error as Error).message})`);
    }
  }
  return failures.length === 0 ? `its .wasm files answer at ${folder}, but did not start` : `${failures.join('; ')} (serve the .wasm files beside tfjs-unsupervised.js)`;
}
