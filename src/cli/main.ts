#!/usr/bin/env node
/**
 * The `tfjs-unsupervised` command. For now it reports the backend the library would use and the
 * versions; training, evaluation and plotting commands come with the CLI issue.
 *
 *   tfjs-unsupervised backend [--backend auto|tensorflow|wasm|cpu]
 *   tfjs-unsupervised --version | --help
 */
import * as tf from '@tensorflow/tfjs';
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';

import { availableBackends, formatBackendInfo, initBackend } from '../backend/init_backend.js';

const HELP = `Usage: tfjs-unsupervised <command> [options]

Commands:
  backend [--backend auto|tensorflow|wasm|cpu]   start a backend and print which one runs, on what device

Options:
  --help       this text
  --version    the library's and TensorFlow.js's versions
`;

/** Runs the CLI with `argv` (without node and the script); returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: { help: { type: 'boolean' }, version: { type: 'boolean' }, backend: { type: 'string' } }, allowPositionals: true });
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${HELP}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.version) {
    const pkg = createRequire(import.meta.url)('../../package.json') as { version: string };
    process.stdout.write(`tfjs-unsupervised ${pkg.version} (TensorFlow.js ${tf.version.tfjs})\n`);
    return 0;
  }
  if (values.help || positionals.length === 0) {
    process.stdout.write(HELP);
    return values.help ? 0 : 2;
  }
  const [command, ...rest] = positionals;
  if (command === 'backend' && rest.length === 0) {
    try {
      const info = await initBackend({ backend: values.backend });
      process.stdout.write(`${formatBackendInfo(info)}\navailable here: ${availableBackends().join(', ')}\n`);
      return 0;
    } catch (error) {
      process.stderr.write(`${(error as Error).message}\n`);
      return 2;
    }
  }
  process.stderr.write(`Unknown command '${positionals.join(' ')}'.\n\n${HELP}`);
  return 2;
}

process.exitCode = await main(process.argv.slice(2));
