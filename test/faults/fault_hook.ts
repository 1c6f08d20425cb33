/**
 * Fault injection for child processes of the fault suite, loaded before the CLI:
 *
 *   node --import tsx --import ./test/faults/fault_hook.ts src/cli/main.ts train ...
 *
 * It numbers the events of a run in the order they happen: every optimiser step (`batch`) and
 * every file operation under `FAULT_RUN_DIR` (`mkdir`, `open`, `write`, `sync`, `close`,
 * `rename`, `rm`, `append`). Nothing in the library knows about it: it wraps `fs.promises`, the
 * file handles' methods and Adam's `applyGradients` from outside. Environment:
 *
 * - `FAULT_RUN_DIR`: only file operations under this folder count (required to count any).
 * - `FAULT_KILL_AT=<n>`: SIGKILL this process at event n (1-based); `batch:<n>`: at the n-th
 *   optimiser step; `file:<n>`: at the n-th file operation. At a `write` the first half of the
 *   bytes is written first, as when the machine dies in the middle of a write.
 * - `FAULT_HOLD_AT=<kind>:<n>` with `FAULT_HOLD_FILE=<path>`: before the n-th file event of that
 *   kind (e.g. `append:2`, the second epoch's metrics line), write `<path>.waiting` and wait (the
 *   event loop keeps running, so signals are handled) until `<path>` exists.
 * - `FAULT_COUNT_FILE=<path>`: at exit, write `{ events, kinds }` (each event's kind, in order).
 * - `FAULT_KILL_NOTE=<path>`: just before the kill, write the kind of event killed at (and the
 *   file, for a file operation) there.
 */
import * as tf from '@tensorflow/tfjs';
import { existsSync, promises, writeFileSync } from 'node:fs';
import * as path from 'node:path';

const runDirectory = process.env.FAULT_RUN_DIR === undefined ? undefined : path.resolve(process.env.FAULT_RUN_DIR);
const killSpec = /^(?:(batch|file):)?(\d+)$/.exec(process.env.FAULT_KILL_AT ?? '');
const killKind = killSpec?.[1];
const killAt = killSpec === null ? undefined : Number(killSpec[2]);
const holdAt = /^([a-z]+):(\d+)$/.exec(process.env.FAULT_HOLD_AT ?? '');
const holdFile = process.env.FAULT_HOLD_FILE;
const countFile = process.env.FAULT_COUNT_FILE;

const kinds: string[] = [];
const perKind = new Map<string, number>();
let fileEvents = 0;

function inRun(file: unknown): boolean {
  if (runDirectory === undefined) return false;
  const resolved = path.resolve(String(file));
  return resolved === runDirectory || resolved.startsWith(`${runDirectory}${path.sep}`);
}

/** Counts an event; true when this one is to be killed at. */
function event(kind: string): boolean {
  kinds.push(kind);
  perKind.set(kind, (perKind.get(kind) ?? 0) + 1);
  if (kind !== 'batch') fileEvents += 1;
  if (killKind === 'batch') return kind === 'batch' && perKind.get('batch') === killAt;
  if (killKind === 'file') return kind !== 'batch' && fileEvents === killAt;
  return kinds.length === killAt;
}

/** Waits, when this is the event to hold at, until the test creates the hold file. */
async function hold(kind: string): Promise<void> {
  if (holdAt === null || holdFile === undefined || holdAt[1] !== kind || perKind.get(kind) !== Number(holdAt[2])) return;
  writeFileSync(`${holdFile}.waiting`, String(process.pid));
  while (!existsSync(holdFile)) await new Promise((resolve) => setTimeout(resolve, 20));
}

function die(file?: string): never {
  if (process.env.FAULT_KILL_NOTE !== undefined) writeFileSync(process.env.FAULT_KILL_NOTE, `${kinds[kinds.length - 1]}${file === undefined ? '' : ` ${path.relative(runDirectory!, path.resolve(file))}`}`);
  process.kill(process.pid, 'SIGKILL');
  // SIGKILL is not deliverable to a handler; the process is gone before this line.
  throw new Error('unreachable');
}

if (countFile !== undefined) process.on('exit', () => writeFileSync(countFile, JSON.stringify({ events: kinds.length, kinds })));

type AsyncFunction = (...args: never[]) => Promise<unknown>;
const fsPromises = promises as unknown as Record<string, AsyncFunction>;
for (const [name, kind] of [
  ['mkdir', 'mkdir'],
  ['rename', 'rename'],
  ['rm', 'rm'],
  ['appendFile', 'append'],
  ['writeFile', 'write'],
] as const) {
  const original = fsPromises[name];
  fsPromises[name] = async function (this: unknown, ...args: never[]) {
    if (inRun(args[0])) {
      if (event(kind)) die(String(args[0]));
      await hold(kind);
    }
    return original.apply(this, args);
  };
}

/** Handles opened under the run, with their paths. */
const handles = new WeakMap<object, string>();
const originalOpen = fsPromises.open;
fsPromises.open = async function (this: unknown, ...args: never[]) {
  if (inRun(args[0]) && event('open')) die(String(args[0]));
  const handle = (await originalOpen.apply(this, args)) as object;
  if (inRun(args[0])) handles.set(handle, String(args[0]));
  return handle;
};

// The FileHandle class, from a handle of this very file.
const probe = await promises.open(new URL(import.meta.url), 'r');
const handlePrototype = Object.getPrototypeOf(probe) as Record<string, AsyncFunction>;
await probe.close();
for (const [name, kind] of [
  ['writeFile', 'write'],
  ['write', 'write'],
  ['sync', 'sync'],
  ['close', 'close'],
] as const) {
  const original = handlePrototype[name];
  handlePrototype[name] = async function (this: object, ...args: never[]) {
    if (handles.has(this) && event(kind)) {
      const data = args[0] as unknown;
      if (kind === 'write' && (typeof data === 'string' || data instanceof Uint8Array)) {
        const bytes = typeof data === 'string' ? Buffer.from(data) : data;
        await (original as (...a: unknown[]) => Promise<unknown>).call(this, bytes.subarray(0, bytes.byteLength >> 1));
      }
      die(handles.get(this));
    }
    return original.apply(this, args);
  };
}

// Every optimiser step of the methods the suite trains (Adam).
const adam = tf.AdamOptimizer.prototype as unknown as { applyGradients: (...args: unknown[]) => unknown };
const applyGradients = adam.applyGradients;
adam.applyGradients = function (this: unknown, ...args: unknown[]) {
  if (event('batch')) die();
  return applyGradients.apply(this, args);
};
