import * as tf from '@tensorflow/tfjs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

import type { CliIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/run_cli.js';

/** Runs the CLI in-process and captures its output. */
export async function runCli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
  };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}

/** A fresh temporary folder. */
export function temporaryDirectory(prefix = 'tfjs-unsupervised-cli-'): string {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

/** Every weight of the models, as arrays (for exact comparison). */
export async function weightValues(...models: tf.LayersModel[]): Promise<Float32Array[]> {
  const out: Float32Array[] = [];
  for (const model of models) for (const w of model.getWeights()) out.push((await w.data()) as Float32Array);
  return out;
}

/**
 * Runs the CLI in-process and makes it crash (an exception out of a progress write) when it
 * reports the end of epoch `crashAt` (1-based, counted over the whole run): that epoch's
 * checkpoint is never written, as when the process is killed there.
 */
export async function runCliCrashingAt(crashAt: number, ...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  let epochs = 0;
  const io: CliIo = {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: {
      write: (text: string) => {
        if (/ epoch \d+\/\d+ loss /.test(text) && ++epochs === crashAt) throw new Error('simulated crash');
        stderr += text;
      },
    },
  };
  const code = await main([...argv, '--progress', 'lines'], io);
  return { code, stdout, stderr };
}
