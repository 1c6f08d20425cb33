import { describe, expect, it } from 'vitest';

import { checkChoiceOption, checkIntegerOption, describeChoices } from '../../src/train/option_table.js';

describe('option table checks', () => {
  it('checkIntegerOption says "a positive integer" for min 1 (the default) and "an integer ≥ min" otherwise', () => {
    const row = { flag: 'n', kind: 'integer', description: '' } as const;
    expect(() => checkIntegerOption(1, 'n', row, 'X')).not.toThrow();
    expect(() => checkIntegerOption(0, 'n', row, 'X')).toThrow('X: n must be a positive integer, got 0.');
    expect(() => checkIntegerOption(1.5, 'n', row, 'X')).toThrow('X: n must be a positive integer, got 1.5.');
    expect(() => checkIntegerOption(2, 'k', { ...row, min: 3 }, 'X')).toThrow('X: k must be an integer ≥ 3, got 2.');
    expect(() => checkIntegerOption(0, 'k', { ...row, min: 0 }, 'X')).not.toThrow();
    expect(() => checkIntegerOption(Number.NaN, 'k', { ...row, min: 0 }, 'X')).toThrow('X: k must be an integer ≥ 0, got NaN.');
  });

  it('checkChoiceOption lists the choices', () => {
    const row = { flag: 'm', kind: 'string', choices: ['a', 'b', 'c'], description: '' } as const;
    expect(() => checkChoiceOption('b', 'mode', row, 'X')).not.toThrow();
    expect(() => checkChoiceOption('d', 'mode', row, 'X')).toThrow("X: mode must be 'a', 'b' or 'c', got 'd'.");
    expect(() => checkChoiceOption(3, 'mode', row, 'X')).toThrow("X: mode must be 'a', 'b' or 'c', got '3'.");
    expect(describeChoices(['x', 'y'])).toBe("'x' or 'y'");
    expect(describeChoices(['x'])).toBe("'x'");
  });
});
