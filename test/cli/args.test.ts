import { describe, expect, it } from 'vitest';

import { convertOption, formatHelp, parseCommandArgs, parseIntegerList } from '../../src/cli/args.js';
import type { OptionSpec } from '../../src/cli/args.js';
import { CliUsageError } from '../../src/cli/io.js';

const specs: OptionSpec[] = [
  { name: 'epochs', kind: 'integer', min: 0, description: 'epochs' },
  { name: 'learning-rate', kind: 'number', min: 0, exclusiveMin: true, description: 'rate' },
  { name: 'loss', kind: 'string', choices: ['mse', 'bce'], description: 'loss', default: 'mse' },
  { name: 'resume', kind: 'boolean', description: 'resume' },
];

describe('convertOption', () => {
  it('converts integers, numbers, strings and booleans by kind', () => {
    expect(convertOption(specs[0], ' 12 ')).toBe(12);
    expect(convertOption(specs[1], '1e-3')).toBe(1e-3);
    expect(convertOption(specs[2], 'bce')).toBe('bce');
    expect(convertOption(specs[3], true)).toBe(true);
  });

  it('names the flag, the text and what was expected', () => {
    expect(() => convertOption(specs[0], '1.5')).toThrow("--epochs must be a non-negative integer; got '1.5'.");
    expect(() => convertOption(specs[0], '-1')).toThrow('--epochs must be ≥ 0; got -1.');
    expect(() => convertOption(specs[1], '0')).toThrow('--learning-rate must be > 0; got 0.');
    expect(() => convertOption(specs[1], 'fast')).toThrow("--learning-rate must be a number; got 'fast'.");
    expect(() => convertOption(specs[2], 'l1')).toThrow("--loss must be one of mse, bce; got 'l1'.");
    expect(() => convertOption(specs[3], 'yes')).toThrow('--resume takes no value.');
    expect(() => convertOption(specs[0], true)).toThrow('--epochs needs a value.');
    expect(() => convertOption(specs[0], 'x')).toThrow(CliUsageError);
  });

  it('runs a spec’s own check on the converted value', () => {
    const even: OptionSpec = { name: 'views', kind: 'integer', description: 'views', check: (v) => {
      if ((v as number) % 2 !== 0) throw new CliUsageError('--views must be even.');
    } };
    expect(convertOption(even, '4')).toBe(4);
    expect(() => convertOption(even, '3')).toThrow('--views must be even.');
  });
});

describe('parseCommandArgs', () => {
  it('returns positionals and the flags given, converted; absent flags stay absent', () => {
    const parsed = parseCommandArgs('train', ['autoencoder', '--epochs', '3', '--resume'], specs);
    expect(parsed).toEqual({ positionals: ['autoencoder'], values: { epochs: 3, resume: true } });
  });

  it('rejects unknown flags and bad values with a usage error naming the flag', () => {
    expect(() => parseCommandArgs('train', ['--epoch', '3'], specs)).toThrow(/--epoch/);
    expect(() => parseCommandArgs('train', ['--epochs', 'many'], specs)).toThrow("--epochs must be a non-negative integer; got 'many'.");
  });
});

describe('parseIntegerList', () => {
  it('parses a comma-separated list of positive integers', () => {
    expect(parseIntegerList('layers', '500, 500,10')).toEqual([500, 500, 10]);
    expect(() => parseIntegerList('layers', '500,0')).toThrow("--layers must be a comma-separated list of positive integers, e.g. 64,32; got '500,0'.");
    expect(() => parseIntegerList('layers', '5,x')).toThrow(/--layers/);
  });
});

describe('formatHelp', () => {
  it('lists the usage, the options with their placeholders and defaults, and --help', () => {
    const text = formatHelp({ usage: 'train <method> [options]', summary: 'Train.', options: specs, groups: [{ title: 'more', options: [] }] });
    expect(text).toMatch(/^Usage: tfjs-unsupervised train <method> \[options\]\n\nTrain\.\n\nOptions:\n/);
    expect(text).toMatch(/--loss mse\|bce\s+loss \(default mse\)/);
    expect(text).toMatch(/--epochs N\s+epochs\n/);
    expect(text).toMatch(/--help\s+show this help/);
    expect(text).not.toMatch(/more:/);
  });
});
