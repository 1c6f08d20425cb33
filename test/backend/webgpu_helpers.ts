/**
 * Shared by the webgpu test files: start the webgpu backend the way users get it (initBackend,
 * which on Linux enables Debian chromium's SwiftShader Vulkan driver in this process when no other
 * adapter exists), and decide what happens when it cannot start: with CI=true the tests fail;
 * otherwise they are skipped with a message on stderr.
 */
import { it } from 'vitest';

import { formatBackendInfo, initBackend } from '../../src/backend/init_backend.js';
import type { BackendInfo } from '../../src/backend/init_backend.js';

/** Whether webgpu started here, and if not why. */
export interface WebGpuAvailability {
  info?: BackendInfo;
  reason?: string;
}

/** Starts webgpu by name once per test file (it stays registered; tests switch with initBackend). */
export async function webGpuAvailability(): Promise<WebGpuAvailability> {
  try {
    const info = await initBackend({ backend: 'webgpu' });
    console.log(`webgpu tests on: ${formatBackendInfo(info)}`);
    return { info };
  } catch (error) {
    return { reason: (error as Error).message };
  }
}

/**
 * True when the webgpu tests must be skipped here. With CI=true an absent adapter is a failure
 * (a test named after it fails with the reason); otherwise the skip is announced on stderr.
 */
export function skipWebGpuTests(availability: WebGpuAvailability, file: string): boolean {
  if (availability.info !== undefined) return false;
  if (process.env.CI === 'true') {
    it('has a WebGPU adapter (CI=true requires one: apt-get install -y chromium libvulkan1)', () => {
      throw new Error(`webgpu did not start in CI: ${availability.reason}`);
    });
  } else {
    console.warn(`SKIPPED ${file}: webgpu did not start (${availability.reason}). CI=true makes this a failure.`);
  }
  return true;
}
