/**
 * What every CLI command writes to, and the error that means "bad usage" (exit code 2).
 */
import * as path from 'node:path';

import type { ProgressStream } from '../train/progress.js';

/** The streams a command writes to: results on `stdout`, progress and diagnostics on `stderr`. */
export interface CliIo {
  stdout: ProgressStream;
  stderr: ProgressStream;
}

/** The process's own streams. */
export function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr };
}

/**
 * A problem with how the command was called (a bad flag, an unknown method, a missing dataset
 * directory, a run directory that would be overwritten): the CLI prints the message, points to
 * the command's `--help`, and exits with code 2.
 */
export class CliUsageError extends Error {
  /** The command whose `--help` explains the usage (e.g. `'train'`), if any. */
  readonly command: string | undefined;

  constructor(message: string, command?: string) {
    super(message);
    this.name = 'CliUsageError';
    this.command = command;
  }
}

/** A path for messages: relative to the working directory when inside it, else absolute. */
export function displayPath(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative === '' ? '.' : relative.startsWith('..') || path.isAbsolute(relative) ? file : relative;
}

/** `1 epoch`, `3 epochs`. */
export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/** Writes one line (a newline is added). */
export function writeLine(stream: ProgressStream, text = ''): void {
  stream.write(`${text}\n`);
}

/** Formats rows as an aligned text table with a header. */
export function formatTable(rows: Array<Record<string, string | number>>): string {
  if (rows.length === 0) return '';
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const format = (v: string | number | undefined) => (v === undefined ? '' : typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toFixed(4)) : v);
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => format(r[c]).length)));
  const line = (cells: string[]) => cells.map((cell, i) => cell.padEnd(widths[i])).join('  ').trimEnd();
  return [line(columns), line(widths.map((w) => '-'.repeat(w))), ...rows.map((row) => line(columns.map((c) => format(row[c]))))].join('\n');
}
