/** The one table `npm run bench` prints: a row per (benchmark, size, peer), as Markdown. */

/** One line of the benchmark table. */
export interface BenchRow {
  /** `'train step'` or `'utilities'`. */
  part: string;
  /** What is timed, e.g. `'iic-vgg'` or `'kmeans d=16 k=10, 30 iterations'`. */
  benchmark: string;
  /** Problem size, e.g. `'batch 256'`, `'n=100k'`, `'316×316'`. */
  size: string;
  /** Our implementation (backend or function). */
  ours: string;
  /** Our time in milliseconds (per step for models). */
  oursMs: number;
  /** The peer, e.g. `'torch 1.13 1 thread'`; `'—'` when not run. */
  peer: string;
  /** The peer's time in milliseconds, when run. */
  peerMs?: number;
  /** Agreement of the results (inertia, NMI, …), empty when not applicable. */
  check: string;
}

/** `1234.5` → `'1235'`, `12.345` → `'12.3'`, `0.1234` → `'0.123'`. */
export function formatMs(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '—';
  if (ms >= 100) return ms.toFixed(0);
  if (ms >= 10) return ms.toFixed(1);
  if (ms >= 1) return ms.toFixed(2);
  return ms.toPrecision(2);
}

/** ours / peer, 2 significant digits at least; `'—'` without a peer. */
export function formatRatio(ours: number, peer: number | undefined): string {
  if (peer === undefined || !(peer > 0)) return '—';
  const r = ours / peer;
  return r >= 100 ? r.toFixed(0) : r >= 10 ? r.toFixed(1) : r.toFixed(2);
}

/** `10000` → `'10k'`, `1000000` → `'1M'`. */
export function formatCount(n: number): string {
  if (n >= 1e6 && n % 1e5 === 0) return `${n / 1e6}M`;
  if (n >= 1e3 && n % 100 === 0) return `${n / 1e3}k`;
  return String(n);
}

/** `'10k'` → 10000, `'1M'` → 1000000, `'2500'` → 2500. */
export function parseCount(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kKmM]?)\s*$/.exec(text);
  if (m === null) throw new Error(`Not a size: '${text}' (use e.g. 10k, 100k, 1M or 2500).`);
  const n = Number(m[1]) * (m[2] === '' ? 1 : m[2].toLowerCase() === 'k' ? 1e3 : 1e6);
  if (!Number.isInteger(n) || n < 1) throw new Error(`Not a positive integer size: '${text}'.`);
  return n;
}

/** The rows as a Markdown table (also readable in a terminal). */
export function markdownTable(rows: readonly BenchRow[]): string {
  const header = ['part', 'benchmark', 'size', 'ours', 'ours ms', 'peer', 'peer ms', 'ours/peer', 'check'];
  const body = rows.map((r) => [r.part, r.benchmark, r.size, r.ours, formatMs(r.oursMs), r.peer, formatMs(r.peerMs), formatRatio(r.oursMs, r.peerMs), r.check]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const numeric = new Set([4, 6, 7]);
  const line = (cells: string[]): string => `| ${cells.map((c, i) => (numeric.has(i) ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join(' | ')} |`;
  const rule = `| ${widths.map((w, i) => (numeric.has(i) ? `${'-'.repeat(w - 1)}:` : '-'.repeat(w))).join(' | ')} |`;
  return [line(header), rule, ...body.map(line)].join('\n');
}
