import { describe, expect, it } from 'vitest';

import { PNG_SIGNATURE, pngSize, renderPng, renderSvg } from '../../src/plot/render.js';
import type { VegaLiteSpec } from '../../src/plot/render.js';
import { checkWellFormed, markCounts, svgSize } from './svg_helpers.js';

const bars: VegaLiteSpec = {
  width: 200,
  height: 100,
  data: { values: [{ a: 'x', b: 1 }, { a: 'y', b: 3 }, { a: 'z & <w>', b: 2 }] },
  mark: 'bar',
  encoding: { x: { field: 'a', type: 'nominal' }, y: { field: 'b', type: 'quantitative' } },
};

describe('renderSvg', () => {
  it('renders a Vega-Lite spec to a well-formed SVG with one mark per datum', async () => {
    const svg = await renderSvg(bars);
    expect(svg.startsWith('<svg')).toBe(true);
    expect(checkWellFormed(svg)).toBeGreaterThan(10);
    expect(markCounts(svg, 'mark-rect role-mark')).toEqual([3]);
    expect(svg).toContain('z &amp; &lt;w&gt;'); // escaped label text
  });

  it('rejects a non-object and explains a spec that does not compile', async () => {
    await expect(renderSvg(null as unknown as VegaLiteSpec)).rejects.toThrow(/spec must be a Vega-Lite spec object/);
    await expect(renderSvg({ mark: 'nonsense' } as unknown as VegaLiteSpec)).rejects.toThrow(/does not compile/);
  });
});

describe('renderPng', () => {
  it('writes a PNG twice the SVG size by default, or at the requested width', async () => {
    const svg = await renderSvg(bars);
    const size = svgSize(svg);
    const png = renderPng(svg);
    expect(Array.from(png.subarray(0, 8))).toEqual(PNG_SIGNATURE);
    expect(pngSize(png)).toEqual({ width: 2 * size.width, height: 2 * size.height });
    const small = renderPng(svg, { width: 300 });
    expect(pngSize(small).width).toBe(300);
    expect(pngSize(small).height).toBe(Math.round((300 * size.height) / size.width));
  });

  it('rejects bad input with a clear message', () => {
    expect(() => renderPng('not svg')).toThrow(/expected an SVG document/);
    expect(() => renderPng('<svg xmlns="http://www.w3.org/2000/svg" width="2" height="2"/>', { width: 0 })).toThrow(/width must be a positive integer/);
    expect(() => renderPng('<svg xmlns="http://www.w3.org/2000/svg" width="2" height="2"/>', { scale: -1 })).toThrow(/scale must be a positive number/);
    expect(() => pngSize(new Uint8Array(30))).toThrow(/not a PNG/);
  });
});
