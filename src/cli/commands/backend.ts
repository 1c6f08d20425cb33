/**
 * `tfjs-unsupervised backend`: start a backend and print which one runs, on what device. Also the
 * `--backend` flag every command shares.
 */
import { availableBackends, BACKEND_NAMES, formatBackendInfo, initBackend } from '../../backend/init_backend.js';
import type { BackendInfo } from '../../backend/init_backend.js';
import { formatHelp, parseCommandArgs } from '../args.js';
import type { CommandHelp, OptionSpec } from '../args.js';
import { CliUsageError, writeLine } from '../io.js';
import type { CliIo } from '../io.js';

/** The `--backend` flag. */
export const BACKEND_OPTION: OptionSpec = {
  name: 'backend',
  kind: 'string',
  placeholder: BACKEND_NAMES.join('|'),
  description:
    'TensorFlow.js backend (default: $TFJS_UNSUPERVISED_BACKEND, else auto: tfjs-node-gpu, tfjs-node, webgpu on a hardware GPU, wasm, cpu; webgpu needs `npm install webgpu @tensorflow/tfjs-backend-webgpu` and, on Linux, a Vulkan driver; wasm threads: $TFJS_UNSUPERVISED_THREADS, else one per CPU)',
};

/**
 * Starts the requested backend (or the default one) and prints it as the first line of the
 * command's output: `backend wasm (cpu, 2 threads) via @tensorflow/tfjs-backend-wasm`.
 *
 * @throws {@link CliUsageError} for an unknown backend or one that cannot start here.
 */
export async function startBackend(request: string | undefined, io: CliIo, command: string): Promise<BackendInfo> {
  let info: BackendInfo;
  try {
    info = await initBackend({ backend: request });
  } catch (error) {
    throw new CliUsageError((error as Error).message, command);
  }
  writeLine(io.stdout, formatBackendInfo(info));
  return info;
}

const HELP: CommandHelp = {
  usage: 'backend [--backend auto|tensorflow|webgpu|wasm|cpu]',
  summary: 'Start a backend and print which one runs, on what device, and which are available here.',
  options: [BACKEND_OPTION],
};

/** Runs `backend` with its arguments; returns the exit code. */
export async function backendCommand(argv: string[], io: CliIo): Promise<number> {
  const { positionals, values } = parseCommandArgs('backend', argv, HELP.options);
  if (values.help === true) {
    io.stdout.write(formatHelp(HELP));
    return 0;
  }
  if (positionals.length > 0) throw new CliUsageError(`backend takes no arguments; got '${positionals.join(' ')}'.`, 'backend');
  await startBackend(values.backend as string | undefined, io, 'backend');
  writeLine(io.stdout, `available here: ${availableBackends().join(', ')}`);
  return 0;
}
