#!/usr/bin/env node
/**
 * The `tfjs-unsupervised` executable (package.json `bin`). The commands live in `run_cli.ts`,
 * which tests import without running anything.
 *
 *   tfjs-unsupervised train <method> [--dataset mnist|idx:<dir>|cifar10:<dir>|stl10:<dir>] [--epochs N] ...
 *   tfjs-unsupervised eval <run> | embed <run> --out features.bin | plot <run> | backend
 *   tfjs-unsupervised --version | --help
 */
import { main } from './run_cli.js';

process.exitCode = await main(process.argv.slice(2));
