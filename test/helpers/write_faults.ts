/**
 * Write errors injected from a test by wrapping `fs.promises` (nothing in the library knows):
 * shared by the model I/O and the fault tests. Undo with vi.restoreAllMocks() (afterEach).
 */
import { promises } from 'node:fs';
import { vi } from 'vitest';

/** The error Node gives when the disk is full: ENOSPC from write(2). */
export function enospcError(): NodeJS.ErrnoException {
  return Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28, syscall: 'write' });
}

/**
 * Makes writeFile through file handles opened (fs.promises.open) on paths matching `pattern` write
 * part of the bytes — `keptBytes(byteLength)` of them, half by default — and then fail with
 * {@link enospcError}. Returns the paths whose writes failed, in order.
 */
export function failWritesTo(pattern: RegExp, keptBytes: (byteLength: number) => number = (byteLength) => byteLength >> 1): { failed: string[] } {
  const failed: string[] = [];
  const open = promises.open.bind(promises);
  vi.spyOn(promises, 'open').mockImplementation(async (file, ...rest) => {
    const handle = await open(file, ...rest);
    if (!pattern.test(String(file))) return handle;
    const writeFile = handle.writeFile.bind(handle);
    handle.writeFile = async (data: string | Uint8Array) => {
      const bytes = typeof data === 'string' ? Buffer.from(data) : data;
      await writeFile(bytes.subarray(0, keptBytes(bytes.byteLength)));
      failed.push(String(file));
      throw enospcError();
    };
    return handle;
  });
  return { failed };
}
