import { describe, expect, it } from 'vitest';

import { ProgressReporter } from '../../src/train/progress.js';

function capture(isTTY: boolean): { stream: { write: (text: string) => boolean; isTTY: boolean; columns: number }; output: string[] } {
  const output: string[] = [];
  return { stream: { write: (text: string) => output.push(text) > 0, isTTY, columns: 200 }, output };
}

const state = { epoch: 0, epochs: 1, batch: 5, batches: 10, samples: 1280, seconds: 2, loss: 0.25 };

describe('ProgressReporter', () => {
  it('draws a bar with batches, loss, throughput and ETA on a TTY', () => {
    const { stream, output } = capture(true);
    const reporter = new ProgressReporter({ stream, label: 'AE', epochOffset: 2 });
    reporter.update(state, true);
    expect(output[0]).toMatch(/^\rAE epoch 3\/3 \[=+ +\] 5\/10 loss 0\.2500 640 samples\/s ETA 2s/);
    reporter.epochEnd({ ...state, batch: 10 }, { epoch: 2, loss: 0.2 });
    expect(output[1]).toMatch(/^\rAE epoch 3\/3 loss 0\.2 \(2s, 640 samples\/s\)/);
  });

  it('writes plain lines elsewhere: one per epoch, and a progress line every lineInterval seconds', () => {
    const { stream, output } = capture(false);
    const quiet = new ProgressReporter({ stream, label: 'AE' });
    quiet.update({ ...state, batch: 1 });
    quiet.update(state);
    expect(output).toEqual([]);
    const chatty = new ProgressReporter({ stream, label: 'AE', lineInterval: 0 });
    chatty.update(state);
    expect(output[0]).toBe('AE epoch 1/1 5/10 batches loss 0.2500 640 samples/s ETA 2s\n');
    chatty.epochEnd({ ...state, batch: 10 }, { epoch: 0, loss: 0.2 });
    expect(output[1]).toBe('AE epoch 1/1 loss 0.2 (2s, 640 samples/s)\n');
  });

  it('gives the ETA of the whole run, not of the epoch', () => {
    const { stream, output } = capture(false);
    const reporter = new ProgressReporter({ stream, label: 'AE', lineInterval: 0 });
    // Half of epoch 1 of 3 in 2 s: 2 s left in this epoch, 8 s for the two after it.
    reporter.update({ ...state, epochs: 3 });
    expect(output[0]).toMatch(/ETA 10s\n$/);
    // Half of the last epoch: only this epoch's rest.
    reporter.update({ ...state, epoch: 2, epochs: 3 });
    expect(output[1]).toMatch(/epoch 3\/3 .* ETA 2s\n$/);
  });

  it('writes epoch lines of at most 80 columns: sub-head series grouped, bookkeeping last, the rest wrapped', () => {
    const { stream, output } = capture(false);
    const reporter = new ProgressReporter({ stream, label: 'IIC' });
    const metrics = { epoch: 0, loss: -3.0361, seconds: 20.02, samplesPerSecond: 102.3, bestSubHead: 2 } as Record<string, number>;
    for (let h = 0; h < 5; h++) {
      metrics[`overcluster${h}`] = -3.8 - h / 100;
      metrics[`main${h}`] = -2.2 - h / 100;
    }
    reporter.epochEnd({ ...state, batch: 10, samples: 2048, seconds: 20 }, metrics);
    const lines = output.join('').trimEnd().split('\n');
    expect(lines.length).toBeGreaterThan(1);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(80);
    expect(lines[0]).toMatch(/^IIC epoch 1\/1 loss -3\.036 /);
    expect(lines.slice(1).every((line) => line.startsWith('  '))).toBe(true);
    const text = lines.join(' ');
    expect(text).toContain('main0-4 -2.2 -2.21 -2.22 -2.23 -2.24');
    expect(text).toContain('overcluster0-4 -3.8 -3.81 -3.82 -3.83 -3.84');
    expect(text).toContain('bestSubHead 2');
    expect(text).toMatch(/\(20s, 102 samples\/s\)$/);
    expect(text).not.toContain('seconds ');
    expect(text).not.toContain('samplesPerSecond');
  });
});
