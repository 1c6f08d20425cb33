/** What the commands that read one run directory (`eval`, `embed`, `plot`) share. */
import { formatHelp, parseCommandArgs } from '../args.js';
import type { CommandHelp, ParsedArgs } from '../args.js';
import { CliUsageError } from '../io.js';
import type { CliIo } from '../io.js';
import { startBackend } from './backend.js';

/** A parsed run command: its run directory and option values. */
export interface RunCommandArgs {
  run: string;
  values: ParsedArgs['values'];
}

/**
 * The prologue of a command on one run directory: parses `argv` against the command's options,
 * answers `--help`, requires exactly one run directory, runs the command's own checks, then
 * starts the backend (printing it first).
 *
 * @returns the run and the values, or `undefined` when `--help` was answered.
 * @throws {@link CliUsageError} for bad arguments (exit code 2).
 */
export async function parseRunCommand(command: string, argv: string[], help: CommandHelp, io: CliIo, check?: (values: ParsedArgs['values']) => void): Promise<RunCommandArgs | undefined> {
  const { positionals, values } = parseCommandArgs(command, argv, help.options);
  if (values.help === true) {
    io.stdout.write(formatHelp(help));
    return undefined;
  }
  if (positionals.length !== 1) throw new CliUsageError(`${command} takes one run directory; got ${positionals.length === 0 ? 'none' : `'${positionals.join(' ')}'`}.`, command);
  check?.(values);
  await startBackend(values.backend as string | undefined, io, command);
  return { run: positionals[0], values };
}
