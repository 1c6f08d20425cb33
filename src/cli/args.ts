/**
 * Declarative command-line options: parsed with `node:util`'s `parseArgs`, converted and checked
 * by kind, and turned into `--help` text. Every problem is a {@link CliUsageError} that names the
 * flag and what it expected.
 */
import { parseArgs } from 'node:util';

import { CliUsageError } from './io.js';

/** How an option's text is read. */
export type OptionKind = 'string' | 'integer' | 'number' | 'boolean';

/** A parsed option value. */
export type OptionValue = string | number | boolean;

/** One `--flag` of a command. */
export interface OptionSpec {
  /** The flag without its dashes, e.g. `'batch-size'`. */
  name: string;
  kind: OptionKind;
  /** One line of help. */
  description: string;
  /** Placeholder of the value in help, e.g. `N` or `DIR`. Default by kind. */
  placeholder?: string;
  /** The default, shown in help (the command applies it). */
  default?: OptionValue;
  /** The only values allowed (for `string`). */
  choices?: readonly string[];
  /** Smallest value allowed (for `integer` / `number`). */
  min?: number;
  /** Whether the smallest value itself is excluded (for `number`, e.g. a learning rate > 0). */
  exclusiveMin?: boolean;
  /** A further check of the converted value: throws a {@link CliUsageError} naming the flag. */
  check?: (value: OptionValue, command?: string) => void;
}

/** A command's help: usage line, summary, options and extra text. */
export interface CommandHelp {
  usage: string;
  summary: string;
  options: OptionSpec[];
  /** More option groups, e.g. each method's options. */
  groups?: Array<{ title: string; options: OptionSpec[] }>;
  /** Free text after the options. */
  details?: string;
}

/** What {@link parseCommandArgs} returns. */
export interface ParsedArgs {
  positionals: string[];
  /** Converted values of the flags given (absent flags are absent). */
  values: Record<string, OptionValue>;
}

/** The `--help` flag every command has. */
export const HELP_OPTION: OptionSpec = { name: 'help', kind: 'boolean', description: 'show this help' };

/**
 * Converts one flag's text by its spec.
 *
 * @throws {@link CliUsageError} naming the flag, the text and what was expected.
 */
export function convertOption(spec: OptionSpec, raw: string | boolean, command?: string): OptionValue {
  const flag = `--${spec.name}`;
  if (spec.kind === 'boolean') {
    if (typeof raw === 'boolean') return raw;
    throw new CliUsageError(`${flag} takes no value.`, command);
  }
  if (typeof raw !== 'string') throw new CliUsageError(`${flag} needs a value.`, command);
  if (spec.kind === 'string') {
    if (spec.choices !== undefined && !spec.choices.includes(raw)) {
      throw new CliUsageError(`${flag} must be one of ${spec.choices.join(', ')}; got '${raw}'.`, command);
    }
    spec.check?.(raw, command);
    return raw;
  }
  const text = raw.trim();
  const value = Number(text);
  if (spec.kind === 'integer') {
    if (!/^[+-]?\d+$/.test(text) || !Number.isSafeInteger(value)) {
      throw new CliUsageError(`${flag} must be ${spec.min === 1 ? 'a positive integer' : spec.min === 0 ? 'a non-negative integer' : 'an integer'}; got '${raw}'.`, command);
    }
  } else if (text === '' || !Number.isFinite(value)) {
    throw new CliUsageError(`${flag} must be a number; got '${raw}'.`, command);
  }
  if (spec.min !== undefined && (value < spec.min || (spec.exclusiveMin === true && value === spec.min))) {
    const bound = spec.exclusiveMin ? `> ${spec.min}` : `≥ ${spec.min}`;
    throw new CliUsageError(`${flag} must be ${bound}; got ${raw}.`, command);
  }
  spec.check?.(value, command);
  return value;
}

/**
 * Parses `argv` against `options` (plus `--help`): unknown flags, missing values and values of
 * the wrong kind are {@link CliUsageError}s that name the flag.
 *
 * @param command the command's name, for error messages that point to its `--help`.
 */
export function parseCommandArgs(command: string, argv: string[], options: OptionSpec[]): ParsedArgs {
  const all = [...options, HELP_OPTION];
  const config: Record<string, { type: 'string' | 'boolean' }> = {};
  for (const spec of all) config[spec.name] = { type: spec.kind === 'boolean' ? 'boolean' : 'string' };
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: config, allowPositionals: true, strict: true });
  } catch (error) {
    // node's messages name the flag ("Unknown option '--foo'"); drop its advice about '--'.
    const message = (error as Error).message.replace(/\. To specify a positional argument.*$/s, '.');
    throw new CliUsageError(message.endsWith('.') ? message : `${message}.`, command);
  }
  const values: Record<string, OptionValue> = {};
  for (const spec of all) {
    const raw = (parsed.values as Record<string, string | boolean | undefined>)[spec.name];
    if (raw !== undefined) values[spec.name] = convertOption(spec, raw, command);
  }
  return { positionals: parsed.positionals, values };
}

/** Parses a comma-separated list of positive integers (e.g. `--layers 500,500,2000,10`). */
export function parseIntegerList(flag: string, text: string, command?: string): number[] {
  const parts = text.split(',').map((p) => p.trim());
  const numbers = parts.map(Number);
  if (parts.some((p) => !/^\d+$/.test(p)) || numbers.some((n) => n < 1)) {
    throw new CliUsageError(`--${flag} must be a comma-separated list of positive integers, e.g. 64,32; got '${text}'.`, command);
  }
  return numbers;
}

function optionLine(spec: OptionSpec): [string, string] {
  const placeholder = spec.kind === 'boolean' ? '' : ` ${spec.choices ? spec.choices.join('|') : (spec.placeholder ?? (spec.kind === 'string' ? 'TEXT' : 'N'))}`;
  const fallback = spec.default === undefined || spec.kind === 'boolean' ? '' : ` (default ${String(spec.default)})`;
  return [`  --${spec.name}${placeholder}`, `${spec.description}${fallback}`];
}

/** The `--help` text of a command. */
export function formatHelp(help: CommandHelp): string {
  const sections: Array<{ title: string; options: OptionSpec[] }> = [{ title: 'Options', options: [...help.options, HELP_OPTION] }, ...(help.groups ?? [])];
  const lines = sections.flatMap((s) => s.options.map(optionLine));
  const width = Math.min(44, Math.max(...lines.map(([flag]) => flag.length)) + 2);
  const out = [`Usage: tfjs-unsupervised ${help.usage}`, '', help.summary, ''];
  for (const section of sections) {
    if (section.options.length === 0) continue;
    out.push(`${section.title}:`);
    for (const spec of section.options) {
      const [flag, text] = optionLine(spec);
      out.push(flag.length + 1 >= width ? `${flag}\n${' '.repeat(width)}${text}` : `${flag.padEnd(width)}${text}`);
    }
    out.push('');
  }
  if (help.details) out.push(help.details.trimEnd(), '');
  return out.join('\n');
}
