import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { renderSvg } from '../../src/plot/render.js';
import { metricNames, parseMetricsJsonl, readMetricsJsonl, trainingCurvesSpec } from '../../src/plot/training_curves.js';
import { checkWellFormed, markCounts } from './svg_helpers.js';

const LINES = [
  '{"epoch":1,"seconds":3.5,"loss":2.1,"nmi":0.4,"method":"iic"}',
  '',
  '{"epoch":2,"seconds":3.4,"loss":1.5,"nmi":0.6,"extra":null}',
  '{"epoch":3,"seconds":3.6,"loss":1.2,"nmi":0.7,"probe":0.9}',
].join('\n');

const directory = mkdtempSync(join(tmpdir(), 'plot-curves-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

describe('parseMetricsJsonl / readMetricsJsonl', () => {
  it('keeps the finite numbers of every non-blank line', () => {
    const records = parseMetricsJsonl(LINES);
    expect(records).toEqual([
      { epoch: 1, seconds: 3.5, loss: 2.1, nmi: 0.4 },
      { epoch: 2, seconds: 3.4, loss: 1.5, nmi: 0.6 },
      { epoch: 3, seconds: 3.6, loss: 1.2, nmi: 0.7, probe: 0.9 },
    ]);
    expect(metricNames(records)).toEqual(['loss', 'seconds', 'nmi', 'probe']);
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
  it('has one panel per metric with epoch and the metric as axis titles', async () => {
    const records = parseMetricsJsonl(LINES);
    const spec = trainingCurvesSpec(records, { title: 'run' }) as unknown as {
      title: string;
      columns: number;
      concat: Array<{ title: string; data: { values: Array<{ epoch: number; value: number }> }; encoding: { x: { field: string; title: string }; y: { title: string } } }>;
    };
    expect(spec.title).toBe('run');
    expect(spec.columns).toBe(3);
    expect(spec.concat.map((p) => p.title)).toEqual(['loss', 'seconds', 'nmi', 'probe']);
    expect(spec.concat[0].data.values).toEqual([{ epoch: 1, value: 2.1 }, { epoch: 2, value: 1.5 }, { epoch: 3, value: 1.2 }]);
    expect(spec.concat[3].data.values).toEqual([{ epoch: 3, value: 0.9 }]); // only where present
    expect(spec.concat[0].encoding.x).toMatchObject({ field: 'epoch', title: 'epoch' });
    expect(spec.concat[2].encoding.y.title).toBe('nmi');

    const svg = await renderSvg(trainingCurvesSpec(records, { metrics: ['loss', 'nmi'] }));
    checkWellFormed(svg);
    // Each panel: a line mark (one path) and a point layer (one symbol per epoch).
    expect(markCounts(svg, 'mark-symbol role-mark')).toEqual([3, 3]);
    expect(markCounts(svg, 'mark-line role-mark')).toEqual([1, 1]);
    expect(svg).toContain('>epoch<');
  });

  it('explains what it cannot plot', () => {
    expect(() => trainingCurvesSpec([])).toThrow(/no epoch records/);
    expect(() => trainingCurvesSpec([{ epoch: 1 }])).toThrow(/no metric besides "epoch"/);
    expect(() => trainingCurvesSpec([{ epoch: 1, loss: 1 }], { metrics: ['nmi'] })).toThrow(/no record has the metric "nmi"; available: loss/);
  });
});
