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
    expect(output[1]).toMatch(/^\rAE epoch 3\/3 loss 0\.2000 \(2s\)/);
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
    expect(output[1]).toBe('AE epoch 1/1 loss 0.2000 (2s)\n');
  });
});
