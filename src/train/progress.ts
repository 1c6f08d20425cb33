import { inNode } from '../core/environment.js';
import { checkNumber, checkObject, describeArgument } from '../data/checks.js';
import { readOptions } from '../data/options.js';
/** Where progress is written: `process.stderr` or anything with `write` (and optionally `isTTY`, `columns`). */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/** The default stream in a browser: each line to `console.log` (no TTY, so `auto` writes lines). */
const CONSOLE_STREAM: ProgressStream = {
  write(text: string): void {
    const line = text.replace(/\n+$/, '');
    if (line !== '') console.log(line);
  },
};

/** Options of {@link ProgressReporter}. */
export interface ProgressOptions {
  /**
   * `'bar'`: a redrawn progress bar (for a TTY); `'lines'`: one log line per epoch (for logs and CI);
   * `'none'`: silent; `'auto'` (default): a bar when stderr is a TTY, else lines.
   */
  mode?: 'auto' | 'bar' | 'lines' | 'none';
  /** Where to write. Default `process.stderr`; in a browser, the console (one `console.log` per line). */
  stream?: ProgressStream;
  /** Label in front of each line (the method's name). */
  label?: string;
  /**
   * Epochs completed before this run (e.g. when resuming from a checkpoint): shown epoch numbers
   * and totals are shifted by it, so a resumed run reads `epoch 3/3`, not `epoch 1/1`. Default 0.
   */
  epochOffset?: number;
  /**
   * Line mode: also write a progress line (batches, loss, throughput, ETA) every this many
   * seconds within a long epoch. Default 30; `Infinity`: only at the end of each epoch.
   */
  lineInterval?: number;
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

const PROGRESS_MODES: ReadonlyArray<NonNullable<ProgressOptions['mode']>> = ['auto', 'bar', 'lines', 'none'];

/** Checks a progress state: an object with the counters as finite numbers (`loss` optional). */
function checkState(state: ProgressState, context: string): void {
  checkObject(state, 'state', context);
  for (const key of ['epoch', 'epochs', 'batch', 'batches', 'samples', 'seconds'] as const) checkNumber(state[key], `state.${key}`, context);
  if (state.loss !== undefined && typeof state.loss !== 'number') throw new Error(`${context}: state.loss must be a number, got ${describeArgument(state.loss)}.`);
}

/** Width of an epoch line (and of its continuation lines): a classic terminal. */
const LINE_WIDTH = 80;

/** Metrics written in an epoch line's time part rather than as metrics. */
const TIME_KEYS = new Set(['epoch', 'seconds', 'samplesPerSecond']);

/** A metric's value: integers as they are, others to 4 significant digits without an exponent for ordinary sizes. */
function formatMetric(value: number): string {
  if (Number.isInteger(value)) return String(value);
  if (!Number.isFinite(value)) return String(value);
  const size = Math.abs(value);
  if (size >= 1e4 && size < 1e9) return value.toFixed(0);
  if (size >= 1e-4 && size < 1e4) return String(Number(value.toPrecision(4)));
  return value.toPrecision(3);
}

/**
 * An epoch's metrics as words: `name value`, numbered metrics of one prefix (IIC's sub-heads
 * `main0`...`main4`) as `main0-4 v0 v1 v2 v3 v4`.
 */
function metricParts(metrics: Record<string, number>): string[] {
  const entries = Object.entries(metrics).filter(([key]) => !TIME_KEYS.has(key));
  const prefixOf = (key: string) => /^(.*\D)(\d+)$/.exec(key);
  const counts = new Map<string, number>();
  for (const [key] of entries) {
    const match = prefixOf(key);
    if (match) counts.set(match[1], (counts.get(match[1]) ?? 0) + 1);
  }
  const parts: string[] = [];
  const done = new Set<string>();
  for (const [key, value] of entries) {
    const match = prefixOf(key);
    if (match && (counts.get(match[1]) ?? 0) > 1) {
      const prefix = match[1];
      if (done.has(prefix)) continue;
      done.add(prefix);
      const series = entries.filter(([k]) => prefixOf(k)?.[1] === prefix);
      const first = prefixOf(series[0][0])![2];
      const last = prefixOf(series[series.length - 1][0])![2];
      parts.push(`${prefix}${first}-${last} ${series.map(([, v]) => formatMetric(v)).join(' ')}`);
      continue;
    }
    parts.push(`${key} ${formatMetric(value)}`);
  }
  return parts;
}

/** Words joined into lines of at most `width` columns; continuation lines are indented by 2. */
function wrapWords(words: string[], width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of words) {
    if (line === '') line = word;
    else if (line.length + 1 + word.length <= width) line += ` ${word}`;
    else {
      lines.push(line);
      line = `  ${word}`;
    }
  }
  if (line !== '') lines.push(line);
  return lines;
}

function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.max(0, Math.round(seconds));
  const m = Math.floor(s / 60);
  return m > 0 ? `${m}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

/**
 * Progress of a training run: a bar per epoch on a TTY (batches, loss, throughput, and the ETA of
 * the whole run, from the pace of the current epoch), and a plain line per epoch otherwise, wrapped
 * to 80 columns. Drawing never reads tensors: callers pass numbers they already have (the loop
 * reads its running loss asynchronously).
 */
export class ProgressReporter {
  private readonly mode: 'bar' | 'lines' | 'none';
  private readonly stream: ProgressStream;
  private readonly label: string;
  private readonly epochOffset: number;
  private readonly lineInterval: number;
  private lastDraw = 0;
  private lastLine = 0;

  constructor(options: ProgressOptions = {}) {
    options = readOptions(options, 'ProgressReporter', { mode: 'string', stream: 'object', label: 'string', epochOffset: 'number', lineInterval: 'number' });
    this.stream = options.stream ?? (inNode() ? process.stderr : CONSOLE_STREAM);
    const mode = options.mode ?? 'auto';
    if (!PROGRESS_MODES.includes(mode)) throw new Error(`ProgressReporter: mode must be one of ${PROGRESS_MODES.join(', ')}, got ${describeArgument(mode)}.`);
    if (options.stream !== undefined && (options.stream === null || typeof options.stream.write !== 'function')) {
      throw new Error(`ProgressReporter: stream must have a write(text) method (e.g. process.stderr), got ${describeArgument(options.stream)}.`);
    }
    this.mode = mode === 'auto' ? (this.stream.isTTY ? 'bar' : 'lines') : mode;
    this.label = options.label ?? 'train';
    this.epochOffset = options.epochOffset ?? 0;
    this.lineInterval = options.lineInterval ?? 30;
  }

  /** `epoch 3/5` with the offset applied. */
  private epochText(state: ProgressState): string {
    return `epoch ${this.epochOffset + state.epoch + 1}/${this.epochOffset + state.epochs}`;
  }

  /**
   * Redraws the bar (at most ~10 times a second); in line mode writes a progress line every
   * `lineInterval` seconds of an epoch.
   */
  update(state: ProgressState, force = false): void {
    checkState(state, 'ProgressReporter.update');
    if (this.mode === 'none') return;
    const now = Date.now();
    const done = state.batches > 0 ? state.batch / state.batches : 0;
    const rate = state.seconds > 0 ? state.samples / state.seconds : 0;
    // The whole run: the rest of this epoch and the epochs after it, at this epoch's pace.
    const remainingBatches = state.batches - state.batch + Math.max(0, state.epochs - state.epoch - 1) * state.batches;
    const eta = state.batch > 0 ? (state.seconds / state.batch) * remainingBatches : Number.NaN;
    const loss = state.loss === undefined ? '' : ` loss ${state.loss.toPrecision(4)}`;
    if (this.mode === 'lines') {
      if (state.batch === 1) this.lastLine = now;
      if (!force && (now - this.lastLine < this.lineInterval * 1000 || state.batch >= state.batches)) return;
      this.lastLine = now;
      this.stream.write(`${this.label} ${this.epochText(state)} ${state.batch}/${state.batches} batches${loss} ${rate.toFixed(0)} samples/s ETA ${formatDuration(eta)}\n`);
      return;
    }
    if (!force && now - this.lastDraw < 100) return;
    this.lastDraw = now;
    const columns = this.stream.columns || 120; // 0 when the terminal does not say
    const head = `${this.label} ${this.epochText(state)} `;
    const tail = ` ${state.batch}/${state.batches}${loss} ${rate.toFixed(0)} samples/s ETA ${formatDuration(eta)}`;
    // The bar shrinks (down to 8) so that the numbers fit a narrow terminal.
    const width = Math.max(8, Math.min(24, columns - 1 - head.length - tail.length - 2));
    const filled = Math.round(done * width);
    const line = `${head}[${'='.repeat(filled)}${' '.repeat(width - filled)}]${tail}`;
    this.stream.write(`\r${line.slice(0, columns - 1).padEnd(Math.min(columns - 1, line.length))}\x1b[K`);
  }

  /**
   * Ends an epoch: finishes the bar, or writes a log line, with the epoch's metrics (`loss` first,
   * sub-head series grouped, time and throughput last), wrapped to 80 columns.
   */
  epochEnd(state: ProgressState, metrics: Record<string, number>): void {
    checkState(state, 'ProgressReporter.epochEnd');
    checkObject(metrics, 'metrics', 'ProgressReporter.epochEnd');
    if (this.mode === 'none') return;
    const { loss, ...others } = metrics;
    const parts = metricParts(loss === undefined ? others : { loss, ...others });
    const rate = state.seconds > 0 ? `, ${formatMetric(Math.round(state.samples / state.seconds))} samples/s` : '';
    const time = `(${formatDuration(state.seconds)}${state.samples > 0 ? rate : ''})`;
    const lines = wrapWords([`${this.label} ${this.epochText(state)}`, ...parts, time], LINE_WIDTH);
    // On a TTY each line clears what the bar left on it.
    this.stream.write(this.mode === 'bar' ? `\r${lines.join('\x1b[K\n')}\x1b[K\n` : `${lines.join('\n')}\n`);
  }

  /** Writes a free-form message on its own line. */
  message(text: string): void {
    if (typeof text !== 'string') throw new Error(`ProgressReporter.message: text must be a string, got ${describeArgument(text)}.`);
    if (this.mode === 'none') return;
    this.stream.write(this.mode === 'bar' ? `\r\x1b[K${text}\n` : `${text}\n`);
  }
}
