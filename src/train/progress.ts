/** Options of {@link ProgressReporter}. */
export interface ProgressOptions {
  /**
   * `'bar'`: a redrawn progress bar (for a TTY); `'lines'`: one log line per epoch (for logs and CI);
   * `'none'`: silent; `'auto'` (default): a bar when stderr is a TTY, else lines.
   */
  mode?: 'auto' | 'bar' | 'lines' | 'none';
  /** Where to write. Default `process.stderr`. */
  stream?: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  /** Label in front of each line (the method's name). */
  label?: string;
}

/** A snapshot of the training state that the reporter draws. */
export interface ProgressState {
  epoch: number;
  epochs: number;
  batch: number;
  batches: number;
  samples: number;
  seconds: number;
  loss?: number;
}

function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.max(0, Math.round(seconds));
  const m = Math.floor(s / 60);
  return m > 0 ? `${m}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

/**
 * Progress of a training run: a bar per epoch on a TTY (batches, loss, throughput, ETA), and a
 * plain line per epoch otherwise. Drawing never reads tensors: callers pass numbers they already
 * have (the loop reads its running loss asynchronously).
 */
export class ProgressReporter {
  private readonly mode: 'bar' | 'lines' | 'none';
  private readonly stream: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  private readonly label: string;
  private lastDraw = 0;

  constructor(options: ProgressOptions = {}) {
    this.stream = options.stream ?? process.stderr;
    const mode = options.mode ?? 'auto';
    this.mode = mode === 'auto' ? (this.stream.isTTY ? 'bar' : 'lines') : mode;
    this.label = options.label ?? 'train';
  }

  /** Redraws the bar (at most ~10 times a second); does nothing in line mode. */
  update(state: ProgressState, force = false): void {
    if (this.mode !== 'bar') return;
    const now = Date.now();
    if (!force && now - this.lastDraw < 100) return;
    this.lastDraw = now;
    const width = 24;
    const done = state.batches > 0 ? state.batch / state.batches : 0;
    const filled = Math.round(done * width);
    const rate = state.seconds > 0 ? state.samples / state.seconds : 0;
    const eta = done > 0 ? (state.seconds * (1 - done)) / done : Number.NaN;
    const loss = state.loss === undefined ? '' : ` loss ${state.loss.toPrecision(4)}`;
    const line =
      `${this.label} epoch ${state.epoch + 1}/${state.epochs} [${'='.repeat(filled)}${' '.repeat(width - filled)}] ` +
      `${state.batch}/${state.batches}${loss} ${rate.toFixed(0)} samples/s ETA ${formatDuration(eta)}`;
    const columns = this.stream.columns ?? 120;
    this.stream.write(`\r${line.slice(0, columns - 1).padEnd(Math.min(columns - 1, line.length))}\x1b[K`);
  }

  /** Ends an epoch: finishes the bar, or writes one log line with the epoch's metrics. */
  epochEnd(state: ProgressState, metrics: Record<string, number>): void {
    if (this.mode === 'none') return;
    const parts = Object.entries(metrics)
      .filter(([key]) => key !== 'epoch')
      .map(([key, value]) => `${key} ${Number.isInteger(value) ? value : value.toPrecision(4)}`);
    const line = `${this.label} epoch ${state.epoch + 1}/${state.epochs} ${parts.join(' ')} (${formatDuration(state.seconds)})`;
    this.stream.write(this.mode === 'bar' ? `\r${line}\x1b[K\n` : `${line}\n`);
  }

  /** Writes a free-form message on its own line. */
  message(text: string): void {
    if (this.mode === 'none') return;
    this.stream.write(this.mode === 'bar' ? `\r\x1b[K${text}\n` : `${text}\n`);
  }
}
