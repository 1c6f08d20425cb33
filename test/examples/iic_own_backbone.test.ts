/**
 * The own-backbone example (issue 20) runs as a user runs it: a child `node --import tsx`
 * process on wasm, one short epoch, and its RESULT line says what it trained.
 */
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

describe('examples/iic_own_backbone.ts', () => {
  it('trains IIC on the backbone it builds and prints a RESULT line', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'examples/iic_own_backbone.ts', '--epochs', '1', '--limit', '512', '--test-limit', '300', '--seed', '0', '--backend', 'wasm'], {
      cwd: root,
      env: { ...process.env, TFJS_UNSUPERVISED_THREADS: '1' },
      timeout: 120_000,
    });
    expect(stdout).toMatch(/your backbone: input \[24,24,1\] \(IIC's centre-cropped view\), output 64 features/);
    expect(stdout).toMatch(/embed\(test\): a tf\.Tensor of shape \[300,64\]/);
    const line = stdout.split('\n').find((l) => l.startsWith('RESULT '));
    expect(line).toBeDefined();
    const result = JSON.parse(line!.slice('RESULT '.length)) as Record<string, unknown>;
    expect(result).toMatchObject({ backboneInputShape: [24, 24, 1], features: 64, epochs: 1, trainImages: 512, testImages: 300, backend: 'wasm' });
    // One short epoch already clusters better than chance (0.1 for ten balanced digits; the
    // Hungarian match of a random assignment of 300 images stays near 0.13).
    expect(result.accuracy as number).toBeGreaterThan(0.2);
  }, 150_000);
});
