/**
 * Where the library runs: Node.js or a browser (a page or a worker). The core entry must bundle
 * for a browser, so no module it reaches imports a Node built-in statically; code that needs one
 * on its Node path gets it here, at call time, through `process.getBuiltinModule` (Node 20.16+),
 * which bundlers neither see nor follow. Outside Node every accessor throws an error naming what
 * needs Node.
 */

/** True in Node.js (not in a browser page or a browser worker). */
export function inNode(): boolean {
  const processLike = (globalThis as { process?: { versions?: { node?: unknown } } }).process;
  return typeof processLike?.versions?.node === 'string' && !('document' in globalThis) && !('WorkerGlobalScope' in globalThis);
}

/** The Node built-in modules this library reads at call time, by specifier. */
export interface NodeBuiltins {
  'node:fs': typeof import('node:fs');
  'node:path': typeof import('node:path');
  'node:os': typeof import('node:os');
  'node:zlib': typeof import('node:zlib');
  'node:module': typeof import('node:module');
  'node:crypto': typeof import('node:crypto');
}

/**
 * A Node built-in module, loaded when first asked for.
 *
 * @param specifier e.g. `'node:fs'`.
 * @param purpose what needs it, for the error outside Node, e.g. `'loadIdx (reading a file)'`.
 * @throws outside Node, naming `purpose`; in a Node older than 20.16 (no `process.getBuiltinModule`).
 */
export function nodeBuiltin<Specifier extends keyof NodeBuiltins>(specifier: Specifier, purpose: string): NodeBuiltins[Specifier] {
  if (!inNode()) throw new Error(`${purpose} needs Node.js (${specifier}); it is not available in a browser.`);
  const getBuiltinModule = (process as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule;
  if (typeof getBuiltinModule !== 'function') {
    throw new Error(`${purpose} needs Node.js 20.16 or newer (process.getBuiltinModule); this is Node ${process.versions.node}.`);
  }
  return getBuiltinModule(specifier) as NodeBuiltins[Specifier];
}

let packageRequire: NodeJS.Require | undefined;

/**
 * Whether an npm package can be resolved from this library, without loading it; always false in
 * a browser. A package whose exports map leaves out package.json (vega) counts as installed.
 */
export function isPackageInstalled(packageName: string): boolean {
  if (!inNode() || typeof (process as { getBuiltinModule?: unknown }).getBuiltinModule !== 'function') return false;
  try {
    packageRequire ??= nodeBuiltin('node:module', 'isPackageInstalled').createRequire(import.meta.url);
    packageRequire.resolve(`${packageName}/package.json`);
    return true;
  } catch (error) {
    return (error as { code?: string }).code === 'ERR_PACKAGE_PATH_NOT_EXPORTED';
  }
}

/** An environment variable in Node; undefined in a browser (which has none). */
export function environmentVariable(name: string): string | undefined {
  return inNode() ? process.env[name] : undefined;
}

/**
 * Imports a module only Node can load (an npm package with native code or Node built-ins), by a
 * specifier bundlers do not follow, so a browser bundle never includes it.
 *
 * @throws outside Node, naming `purpose`; the import's own error when the package is missing.
 */
export async function importNodeOnly<Module>(specifier: string, purpose: string): Promise<Module> {
  if (!inNode()) throw new Error(`${purpose} needs Node.js ('${specifier}'); it is not available in a browser.`);
  return (await import(/* webpackIgnore: true */ /* @vite-ignore */ specifier)) as Module;
}
