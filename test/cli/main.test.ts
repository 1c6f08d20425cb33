import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const tsx = fileURLToPath(new URL('../../node_modules/.bin/tsx', import.meta.url));
const run = (...args: string[]) => spawnSync(tsx, ['src/cli/main.ts', ...args], { cwd: root, encoding: 'utf8' });

describe('tfjs-unsupervised CLI', () => {
  it('prints the backend it starts, and versions', () => {
    const out = execFileSync(tsx, ['src/cli/main.ts', 'backend', '--backend', 'wasm'], { cwd: root, encoding: 'utf8' });
    expect(out).toMatch(/^backend wasm \(cpu, 1 thread\) via @tensorflow\/tfjs-backend-wasm\navailable here: .*wasm, cpu/);
    expect(run('--version').stdout).toMatch(/^tfjs-unsupervised 0\.1\.0 \(TensorFlow\.js 4\.22\.0\)/);
  });

  it('exits with code 2 and a message on unknown commands and backends', () => {
    const unknown = run('dance');
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/Unknown command 'dance'/);
    const badBackend = run('backend', '--backend', 'webgl');
    expect(badBackend.status).toBe(2);
    expect(badBackend.stderr).toMatch(/Unknown backend 'webgl'/);
    expect(run().status).toBe(2);
    expect(run('--help').status).toBe(0);
  });
});
