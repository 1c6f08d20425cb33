#!/usr/bin/env node
/**
 * The `tfjs-unsupervised` executable (package.json `bin`). The commands live in `run_cli.ts`,
 * which tests import without running anything.
 *
 *   tfjs-unsupervised train <method> [--dataset mnist|idx:<dir>|cifar10:<dir>|stl10:<dir>] [--epochs N] ...
 *   tfjs-unsupervised eval <run> | embed <run> --out features.bin | plot <run> | backend
 *   tfjs-unsupervised --version | --help
 *
 * Ctrl-C (SIGINT) or SIGTERM stops it at once: the run's lock is released and the process exits
 * with 130 / 143. Completed epochs are safe in their checkpoints (written atomically); an epoch
 * in progress is lost, and `train --out <run> --resume` continues.
 */
import { displayPath } from './io.js';
import { releaseHeldLocksSync } from './run_directory.js';
import { main } from './run_cli.js';

const SIGNAL_NUMBERS = { SIGINT: 2, SIGTERM: 15 } as const;
for (const [signal, number] of Object.entries(SIGNAL_NUMBERS)) {
  process.once(signal, () => {
    for (const run of releaseHeldLocksSync()) {
      process.stderr.write(`\n${signal}: stopped training ${displayPath(run)}; its completed epochs are kept. Continue with: tfjs-unsupervised train --out ${displayPath(run)} --resume\n`);
    }
    process.exit(128 + number);
  });
}

process.exitCode = await main(process.argv.slice(2));
