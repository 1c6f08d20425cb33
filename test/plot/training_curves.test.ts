import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { renderSvg } from '../../src/plot/render.js';
import { metricNames, parseMetricsJsonl, readMetricsJsonl, trainingCurvesSpec } from '../../src/plot/training_curves.js';
import { checkWellFormed, markCounts } from './svg_helpers.js';

// As runs before run.json version 2 wrote them: zero-based epochs, bookkeeping (seconds, samplesPerSecond) beside the metrics.
const LINES = [
  '{"epoch":0,"seconds":3.5,"loss":2.1,"nmi":0.4,"method":"iic"}',
  '',
  '{"epoch":1,"seconds":3.4,"loss":1.5,"nmi":0.6,"extra":null,"samplesPerSecond":900}',
  '{"epoch":2,"seconds":3.6,"loss":1.2,"nmi":0.7,"probe":0.9}',
].join('\n');

const directory = mkdtempSync(join(tmpdir(), 'plot-curves-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

describe('parseMetricsJsonl / readMetricsJsonl', () => {
  it('keeps the finite numbers of every non-blank line', () => {
    const records = parseMetricsJsonl(LINES);
    expect(records).toEqual([
      { epoch: 0, seconds: 3.5, loss: 2.1, nmi: 0.4 },
      { epoch: 1, seconds: 3.4, loss: 1.5, nmi: 0.6, samplesPerSecond: 900 },
      { epoch: 2, seconds: 3.6, loss: 1.2, nmi: 0.7, probe: 0.9 },
    ]);
    // Losses and metrics; time and throughput are bookkeeping, not curves.
    expect(metricNames(records)).toEqual(['loss', 'nmi', 'probe']);
    expect(metricNames([{ epoch: 0, bestSubHead: 1, level: 0, main0: 1 }])).toEqual(['main0']);
  });

  it('names the file and line of bad content', () => {
    expect(() => parseMetricsJsonl('{"epoch":1}\n{oops', 'run/metrics.jsonl')).toThrow(/run\/metrics\.jsonl:2: not valid JSON/);
    expect(() => parseMetricsJsonl('[1,2]')).toThrow(/metrics\.jsonl:1: expected a JSON object/);
    expect(() => parseMetricsJsonl('{"loss":1}')).toThrow(/metrics\.jsonl:1: every line needs a numeric "epoch"/);
    expect(() => parseMetricsJsonl('\n\n')).toThrow(/no epoch records/);
  });

  it('reads <run>/metrics.jsonl and names the missing file', () => {
    writeFileSync(join(directory, 'metrics.jsonl'), LINES);
    expect(readMetricsJsonl(directory)).toHaveLength(3);
    const missing = join(directory, 'nowhere');
    expect(() => readMetricsJsonl(missing)).toThrow(`no metrics file at ${join(missing, 'metrics.jsonl')}`);
  });
});

describe('trainingCurvesSpec', () => {
  type Panel = {
    title: string;
    data: { values: Array<{ epoch: number; value: number; metric: string }> };
    layer: Array<{ mark: { type: string }; encoding: { x: { field: string; title: string; scale: { domain: number[] }; axis: { values?: number[] } }; y: { title: string; scale: { domain?: number[] } } } }>;
  };
  type Spec = { title: string; columns: number; concat: Panel[] };

  it('has one panel per metric, epochs counted from 1, the metric as axis title', async () => {
    const records = parseMetricsJsonl(LINES);
    const spec = trainingCurvesSpec(records, { title: 'run' }) as unknown as Spec;
    expect(spec.title).toBe('run');
    expect(spec.columns).toBe(3);
    expect(spec.concat.map((p) => p.title)).toEqual(['loss', 'nmi', 'probe']);
    // Zero-based epochs 0, 1, 2 of metrics.jsonl are epochs 1, 2, 3 on the plot.
    expect(spec.concat[0].data.values.map((v) => [v.epoch, v.value])).toEqual([[1, 2.1], [2, 1.5], [3, 1.2]]);
    expect(spec.concat[2].data.values.map((v) => [v.epoch, v.value])).toEqual([[3, 0.9]]); // only where present
    const x = spec.concat[0].layer[0].encoding.x;
    expect(x).toMatchObject({ field: 'epoch', title: 'epoch' });
    expect(x.axis.values).toEqual([1, 2, 3]);
    expect(x.scale.domain).toEqual([0.5, 3.5]);
    expect(spec.concat[1].layer[0].encoding.y.title).toBe('nmi');
    // Bookkeeping is plotted when asked for by name; another first epoch number when asked for.
    const asked = trainingCurvesSpec(records, { metrics: ['seconds'], firstEpoch: 0 }) as unknown as Spec;
    expect(asked.concat[0].data.values.map((v) => v.epoch)).toEqual([0, 1, 2]);

    const svg = await renderSvg(trainingCurvesSpec(records, { metrics: ['loss', 'nmi'] }));
    checkWellFormed(svg);
    // Each panel: a line mark (one path) and a point layer (one symbol per epoch).
    expect(markCounts(svg, 'mark-symbol role-mark')).toEqual([3, 3]);
    expect(markCounts(svg, 'mark-line role-mark')).toEqual([1, 1]);
    expect(svg).toContain('>epoch<');
  });

  it('puts numbered metrics of one prefix (sub-heads) in one panel, a line each', async () => {
    const records = [0, 1].map((epoch) => ({ epoch, loss: -3 - epoch, main0: -2 - epoch, main1: -2.1 - epoch, overcluster0: -3.5, overcluster1: -3.6, bestSubHead: 1, seconds: 20 }));
    const spec = trainingCurvesSpec(records) as unknown as Spec;
    expect(spec.concat.map((p) => p.title)).toEqual(['loss', 'main (0, 1)', 'overcluster (0, 1)']);
    expect(spec.concat[1].data.values.map((v) => v.metric)).toEqual(['main0', 'main1', 'main0', 'main1']);
    const svg = await renderSvg(trainingCurvesSpec(records));
    checkWellFormed(svg);
    // A line per series: loss; main0, main1; overcluster0, overcluster1.
    expect(markCounts(svg, 'mark-line role-mark')).toEqual([1, 1, 1, 1, 1]);
    expect(svg).toContain('>main1<'); // the panel's legend
  });

  it('gives a one-epoch run an axis with that epoch alone and its value written', async () => {
    const spec = trainingCurvesSpec([{ epoch: 0, loss: -0.000629, seconds: 14.5 }]) as unknown as Spec;
    expect(spec.concat).toHaveLength(1);
    const [line, text] = spec.concat[0].layer;
    expect(line.encoding.x.axis.values).toEqual([1]);
    expect(line.encoding.x.scale.domain).toEqual([0.5, 1.5]);
    // The value lies inside a real range, not a collapsed one.
    const [low, high] = line.encoding.y.scale.domain!;
    expect(low).toBeLessThan(-0.000629);
    expect(high).toBeGreaterThan(-0.000629);
    expect(text.mark.type).toBe('text');
    const svg = await renderSvg(trainingCurvesSpec([{ epoch: 0, loss: -0.000629 }]));
    expect(svg).toContain('>-0.000629<');
    expect(svg).not.toMatch(/>0<\/text>/); // no epoch 0 tick
  });

  it('explains what it cannot plot', () => {
    expect(() => trainingCurvesSpec([])).toThrow(/no epoch records/);
    expect(() => trainingCurvesSpec([{ epoch: 1 }])).toThrow(/no metric besides "epoch"/);
    expect(() => trainingCurvesSpec([{ epoch: 1, seconds: 2 }])).toThrow(/no metric besides "epoch" and bookkeeping \(seconds; ask for them with metrics\)/);
    expect(() => trainingCurvesSpec([{ epoch: 1, loss: 1 }], { metrics: ['nmi'] })).toThrow(/no record has the metric "nmi"; available: loss/);
  });
});

describe('epoch numbering of metrics.jsonl', () => {
  // As train writes them now (run.json version 2): epochs from 1, like the terminal and the checkpoints.
  const FROM_ONE = '{"epoch":1,"loss":2.1}\n{"epoch":2,"loss":1.5}\n';
  const FROM_ZERO = '{"epoch":0,"loss":2.1}\n{"epoch":1,"loss":1.5}\n';
  const runWith = (name: string, metrics: string, version?: number): string => {
    const run = join(directory, name);
    mkdirSync(run, { recursive: true });
    writeFileSync(join(run, 'metrics.jsonl'), metrics);
    if (version !== undefined) writeFileSync(join(run, 'run.json'), JSON.stringify({ format: 'tfjs-unsupervised-run', version }));
    return run;
  };
  type Plotted = { concat: Array<{ data: { values: Array<{ epoch: number }> } }> };
  const plotted = (records: ReturnType<typeof parseMetricsJsonl>) => (trainingCurvesSpec(records) as unknown as Plotted).concat[0].data.values.map((v) => v.epoch);

  it('reads both numberings to the same records, and plots both from 1', () => {
    const expected = [{ epoch: 0, loss: 2.1 }, { epoch: 1, loss: 1.5 }];
    expect(parseMetricsJsonl(FROM_ONE)).toEqual(expected);
    expect(parseMetricsJsonl(FROM_ZERO)).toEqual(expected);
    expect(parseMetricsJsonl(FROM_ONE, 'm', 1)).toEqual(expected);
    expect(parseMetricsJsonl(FROM_ZERO, 'm', 0)).toEqual(expected);
    // run.json's version says which: 2 → from 1, 1 → from 0; no run.json → from the file.
    for (const run of [runWith('v2', FROM_ONE, 2), runWith('v1', FROM_ZERO, 1), runWith('bare-new', FROM_ONE), runWith('bare-old', FROM_ZERO)]) {
      expect(readMetricsJsonl(run)).toEqual(expected);
      expect(plotted(readMetricsJsonl(run))).toEqual([1, 2]);
    }
  });

  it('refuses an epoch below the numbering the file has, and a numbering other than 0 or 1', () => {
    expect(() => parseMetricsJsonl(FROM_ZERO, 'run/metrics.jsonl', 1)).toThrow('run/metrics.jsonl: epoch 0 in a file whose epochs count from 1.');
    expect(() => readMetricsJsonl(runWith('mixed', FROM_ZERO, 2))).toThrow(/metrics\.jsonl: epoch 0 in a file whose epochs count from 1\./);
    expect(() => parseMetricsJsonl(FROM_ONE, 'm', 2 as 1)).toThrow('parseMetricsJsonl: firstEpoch must be 0 or 1, got 2.');
    expect(() => readMetricsJsonl(runWith('bad-version', FROM_ONE, 0))).toThrow('run.json: version must be a positive integer, got 0.');
  });
});
