/**
 * Fuzz of the CLI's option parsing, in-process: seeded random command lines (known and unknown
 * flags, `--flag value` and `--flag=value`, missing values, repeated flags, stray positionals,
 * numbers in every spelling, junk text) must give a parsed configuration or a CliUsageError
 * naming the problem, never another exception. `train` goes through every check that runs before
 * the backend starts (method, method options and their own checks, dataset spec); the other
 * commands go through `main` with `--help`, which parses everything and starts nothing.
 */
import { describe, expect, it } from 'vitest';

import { parseCommandArgs } from '../../src/cli/args.js';
import type { OptionSpec } from '../../src/cli/args.js';
import { TRAIN_OPTIONS } from '../../src/cli/commands/train.js';
import { parseDatasetSpec } from '../../src/cli/datasets.js';
import { CliUsageError } from '../../src/cli/io.js';
import { allMethodOptions, METHOD_NAMES, METHODS, methodEntry, normalizeMethodOptions, resolveMethodOptions } from '../../src/cli/method_registry.js';
import type { MethodOptionValues } from '../../src/cli/method_registry.js';
import type { OptionValue } from '../../src/cli/args.js';
import { runCli } from '../cli/helpers.js';
import { seededRandom } from './child_cli.js';

const CASES_PER_SEED = 2000;
const SEEDS = [1, 2, 3];

const INTEGERS = ['1', '2', '3', '16', '64', '0', '-1', '-0', '+3', ' 7 ', '1.5', '1e3', '0x10', '9007199254740993', '1_000', 'NaN', 'Infinity', 'abc', '', ' '];
const NUMBERS = ['0.001', '1', '1.5', '0', '-1', '.5', '5.', '1e-3', '1e400', '-1e-400', 'NaN', 'Infinity', '-Infinity', '0x1p3', 'abc', '', ' '];
const TEXTS = ['64,32', '4,M,4', '4,M,4,M,4,M,4,M,4,M', 'small', 'large', 'M', ',', '0,0', '1,,2', '-3,4', '64, 32', 'sum', 'mean', 'idx:/no/such/folder', 'mnist', 'cifar10', 'stl10:', 'idx:.', '\u0000', '🙂', '--', '-', 'a'.repeat(300), '', ' ', 'null', 'undefined', '{}', '[1,2]'];
const UNKNOWN_FLAGS = ['--bogus', '--epoch', '--Epochs', '-e', '-', '--', '---epochs', '--batch_size', '--help=1', '--=3'];

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)];
}

/** A value for a flag of this kind: usually its kind's pool, sometimes another kind's. */
function valueFor(random: () => number, spec: OptionSpec | undefined): string {
  const roll = random();
  if (spec?.choices && roll < 0.5) return pick(random, spec.choices);
  if (roll < 0.85 && spec !== undefined) return pick(random, spec.kind === 'integer' ? INTEGERS : spec.kind === 'number' ? NUMBERS : TEXTS);
  return pick(random, [...INTEGERS, ...NUMBERS, ...TEXTS]);
}

/** A random command line over these flags (and some that do not exist). */
function commandLine(random: () => number, specs: OptionSpec[], positionals: readonly string[]): string[] {
  const argv: string[] = [];
  const count = Math.floor(random() * 7);
  if (random() < 0.85) argv.push(pick(random, positionals));
  for (let i = 0; i < count; i++) {
    const roll = random();
    if (roll < 0.08) {
      argv.push(pick(random, UNKNOWN_FLAGS));
      continue;
    }
    if (roll < 0.12) {
      argv.push(pick(random, [...positionals, ...TEXTS]));
      continue;
    }
    const spec = pick(random, specs);
    const form = random();
    if (spec.kind === 'boolean') {
      argv.push(form < 0.85 ? `--${spec.name}` : `--${spec.name}=${valueFor(random, undefined)}`);
    } else if (form < 0.55) {
      argv.push(`--${spec.name}`, valueFor(random, spec));
    } else if (form < 0.9) {
      argv.push(`--${spec.name}=${valueFor(random, spec)}`);
    } else {
      argv.push(`--${spec.name}`); // value missing (or the next flag taken as one)
    }
  }
  return argv;
}

/** The checks `train` runs before it starts a backend; returns the method's resolved options. */
function checkTrainArgs(argv: string[]): MethodOptionValues | undefined {
  const methodOptions = allMethodOptions();
  const { positionals, values } = parseCommandArgs('train', argv, [...TRAIN_OPTIONS, ...methodOptions]);
  if (positionals.length > 1) throw new CliUsageError('more than one method', 'train');
  if (values.dataset !== undefined) parseDatasetSpec(values.dataset as string, 'train');
  if (positionals[0] === undefined) return undefined;
  const entry = methodEntry(positionals[0]);
  const names = new Set(methodOptions.map((o) => o.name));
  const given: Record<string, OptionValue> = {};
  for (const [name, value] of Object.entries(values)) if (names.has(name)) given[name] = value;
  const normalized = normalizeMethodOptions(entry, given);
  const resolved = resolveMethodOptions(entry, normalized);
  return entry.resolve?.(resolved, { epochs: values.epochs as number | undefined, trainImages: 1000 }) ?? resolved;
}

describe('CLI option fuzz', () => {
  for (const seed of SEEDS) {
    it(`seed ${seed}: ${CASES_PER_SEED} random train command lines → a configuration or a usage error`, () => {
      const random = seededRandom(seed);
      const specs = [...TRAIN_OPTIONS, ...Object.values(METHODS).flatMap((e) => e.options)];
      let parsed = 0;
      let refused = 0;
      for (let i = 0; i < CASES_PER_SEED; i++) {
        const argv = commandLine(random, specs, [...METHOD_NAMES, 'autoencoders', 'IIC']);
        try {
          checkTrainArgs(argv);
          parsed++;
        } catch (error) {
          if (!(error instanceof CliUsageError)) throw new Error(`train ${JSON.stringify(argv)} threw ${String(error)}`);
          expect(error.message, JSON.stringify(argv)).not.toMatch(/TypeError|\[object Object\]/);
          refused++;
        }
      }
      // Both outcomes occur (the generator is not degenerate).
      console.log(`seed ${seed}: ${parsed} parsed, ${refused} refused`);
      expect(parsed).toBeGreaterThan(CASES_PER_SEED / 20);
      expect(refused).toBeGreaterThan(CASES_PER_SEED / 4);
    });
  }

  it('eval, embed, plot and backend: 150 random command lines each → exit 0 or a usage error (exit 2)', async () => {
    const random = seededRandom(4);
    const commandSpecs: Record<string, OptionSpec[]> = {
      eval: [
        { name: 'split', kind: 'string', choices: ['train', 'test'], description: '' },
        { name: 'limit', kind: 'integer', min: 1, description: '' },
        { name: 'k', kind: 'integer', min: 2, description: '' },
        { name: 'knn-k', kind: 'integer', min: 1, description: '' },
        { name: 'no-probes', kind: 'boolean', description: '' },
        { name: 'backend', kind: 'string', choices: ['auto', 'wasm', 'cpu'], description: '' },
      ],
      embed: [
        { name: 'out', kind: 'string', description: '' },
        { name: 'split', kind: 'string', choices: ['train', 'test'], description: '' },
        { name: 'limit', kind: 'integer', min: 1, description: '' },
      ],
      plot: [
        { name: 'format', kind: 'string', choices: ['svg', 'png', 'both'], description: '' },
        { name: 'projection', kind: 'string', choices: ['pca', 'umap'], description: '' },
        { name: 'out-dir', kind: 'string', description: '' },
        { name: 'limit', kind: 'integer', min: 1, description: '' },
      ],
      backend: [{ name: 'backend', kind: 'string', choices: ['auto', 'wasm', 'cpu', 'webgl'], description: '' }],
    };
    for (const [command, specs] of Object.entries(commandSpecs)) {
      for (let i = 0; i < 150; i++) {
        const argv = [command, ...commandLine(random, specs, ['runs/x', 'a', '']), '--help'];
        const result = await runCli(...argv);
        expect([0, 2], `${JSON.stringify(argv)}: ${result.stderr}`).toContain(result.code);
        if (result.code === 2) expect(result.stderr, JSON.stringify(argv)).toMatch(/^error: |^Unknown command/);
      }
    }
  });
});
