/** Runs the PyTorch peer scripts of bench/peers with Debian's /usr/bin/python3 (dev tool only). */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const PEER_PYTHON = process.env.PEER_PYTHON ?? '/usr/bin/python3';
export const PEERS_DIRECTORY = fileURLToPath(new URL('./peers/', import.meta.url));

/** Whether the peer's python has the given modules (e.g. torch, sklearn). */
export function peerHas(...modules: string[]): boolean {
  if (!existsSync(PEER_PYTHON)) return false;
  const result = spawnSync(PEER_PYTHON, ['-c', modules.map((m) => `import ${m}`).join(';')], { encoding: 'utf8' });
  return result.status === 0;
}

/** Runs `bench/peers/<script>` with arguments and parses the last stdout line as JSON. */
export function runPeer<T>(script: string, args: string[], timeoutSeconds = 600): T {
  const result = spawnSync(PEER_PYTHON, [`${PEERS_DIRECTORY}${script}`, ...args], { encoding: 'utf8', timeout: timeoutSeconds * 1000 });
  if (result.status !== 0) throw new Error(`peer ${script} ${args.join(' ')} failed: ${result.stderr || result.error?.message}`);
  const lines = result.stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]) as T;
}
