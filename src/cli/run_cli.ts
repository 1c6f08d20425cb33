/**
 * The `tfjs-unsupervised` command line: `backend`, `train`, `eval`, `embed`, `plot`. {@link main}
 * runs it in-process (tests call it directly); `main.ts` is the executable entry.
 */
import * as tf from '@tensorflow/tfjs';
import { createRequire } from 'node:module';

import { backendCommand } from './commands/backend.js';
import { embedCommand } from './commands/embed.js';
import { evalCommand } from './commands/eval.js';
import { plotCommand } from './commands/plot.js';
import { trainCommand } from './commands/train.js';
import { CliUsageError, processIo, writeLine } from './io.js';
import type { CliIo } from './io.js';
import { METHOD_NAMES } from './method_registry.js';

interface Command {
  summary: string;
  run(argv: string[], io: CliIo): Promise<number>;
}

const COMMANDS: Record<string, Command> = {
  train: { summary: 'train a method into a run directory (checkpoint every epoch, --resume)', run: trainCommand },
  eval: { summary: "score a run: accuracy, NMI, ARI of its clusters; linear and kNN probes", run: evalCommand },
  embed: { summary: "write a split's embeddings as float32 + a JSON header", run: embedCommand },
  plot: { summary: 'write training curves, embedding and confusion-matrix plots', run: plotCommand },
  backend: { summary: 'start a backend and print which one runs, on what device', run: backendCommand },
};

/** The top-level `--help`. */
export function mainHelp(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length)) + 2;
  return [
    'Usage: tfjs-unsupervised <command> [options]',
    '',
    'Unsupervised representation learning on TensorFlow.js.',
    '',
    'Commands:',
    ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}${c.summary}`),
    '',
    `Methods: ${METHOD_NAMES.join(', ')}`,
    '',
    'Options:',
    '  --help     this text (tfjs-unsupervised <command> --help: the command\'s options)',
    "  --version  the library's and TensorFlow.js's versions",
    '',
    'Example:',
    '  tfjs-unsupervised train autoencoder --limit 20000 --epochs 4 --out runs/ae',
    '  tfjs-unsupervised eval runs/ae && tfjs-unsupervised plot runs/ae',
    '',
  ].join('\n');
}

function version(): string {
  const pkg = createRequire(import.meta.url)('../../package.json') as { version: string };
  return `tfjs-unsupervised ${pkg.version} (TensorFlow.js ${tf.version.tfjs})`;
}

/**
 * Runs the CLI with `argv` (without node and the script) and returns the exit code: 0 on
 * success, 2 for bad usage (unknown command, method or backend, bad flags, missing dataset or
 * run directories), 1 when the work itself failed.
 *
 * @param io where output goes. Default: the process's stdout and stderr.
 */
export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  const [command, ...rest] = argv;
  if (command === '--version' || command === '-v') {
    writeLine(io.stdout, version());
    return 0;
  }
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    (command === undefined ? io.stderr : io.stdout).write(mainHelp());
    return command === undefined ? 2 : 0;
  }
  const handler = COMMANDS[command];
  if (handler === undefined) {
    io.stderr.write(`Unknown command '${argv.join(' ')}'.\n\n${mainHelp()}`);
    return 2;
  }
  try {
    return await handler.run(rest, io);
  } catch (error) {
    if (error instanceof CliUsageError) {
      writeLine(io.stderr, `error: ${error.message}`);
      writeLine(io.stderr, `Run 'tfjs-unsupervised ${error.command ?? command} --help' for usage.`);
      return 2;
    }
    writeLine(io.stderr, `error: ${(error as Error).message ?? String(error)}`);
    if (process.env.TFJS_UNSUPERVISED_DEBUG) writeLine(io.stderr, (error as Error).stack ?? '');
    return 1;
  }
}
