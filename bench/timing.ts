/**
 * The timing rule shared with bench/peers/utilities_peer.py: one run; if it took under 1 s it
 * counts as warm-up and the task is repeated (at least 3 times, until 0.3 s have passed, at most
 * 20 times) and the median is reported.
 */
export interface Timed<T> {
  /** Median milliseconds (or the single run's, when it took 1 s or more). */
  ms: number;
  /** Timed repetitions. */
  reps: number;
  /** The last run's result. */
  result: T;
}

/** Times `fn` by the rule above. */
export function timed<T>(fn: () => T): Timed<T> {
  let start = performance.now();
  let result = fn();
  const first = performance.now() - start;
  if (first >= 1000) return { ms: first, reps: 1, result };
  const times: number[] = [];
  let spent = 0;
  while (times.length < 3 || (spent < 300 && times.length < 20)) {
    start = performance.now();
    result = fn();
    const ms = performance.now() - start;
    times.push(ms);
    spent += ms;
  }
  times.sort((a, b) => a - b);
  const mid = times.length >> 1;
  return { ms: times.length % 2 === 1 ? times[mid] : (times[mid - 1] + times[mid]) / 2, reps: times.length, result };
}
