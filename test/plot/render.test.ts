import { inflateSync } from 'node:zlib';
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

describe('renderPng: the plots carry their own font', () => {
  /** Pixels darker than light grey (red channel below 200) in rows [top, bottom) of an RGBA PNG as resvg writes it. */
  function inkPixels(png: Uint8Array, top: number, bottom: number): number {
    const { width } = pngSize(png);
    const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
    const chunks: Uint8Array[] = [];
    for (let offset = 8; offset < png.length; ) {
      const length = view.getUint32(offset);
      if (String.fromCharCode(...png.subarray(offset + 4, offset + 8)) === 'IDAT') chunks.push(png.subarray(offset + 8, offset + 8 + length));
      offset += 12 + length;
    }
    const raw = inflateSync(Buffer.concat(chunks));
    const stride = width * 4 + 1;
    let previous = new Uint8Array(width * 4);
    let ink = 0;
    // Undo the PNG row filters (0 none, 1 sub, 2 up, 3 average, 4 Paeth).
    for (let y = 0; y < Math.min(bottom, raw.length / stride); y++) {
      const filter = raw[y * stride]!;
      const row = Uint8Array.from(raw.subarray(y * stride + 1, (y + 1) * stride));
      for (let i = 0; i < row.length; i++) {
        const left = i >= 4 ? row[i - 4]! : 0;
        const up = previous[i]!;
        const upLeft = i >= 4 ? previous[i - 4]! : 0;
        let predictor = 0;
        if (filter === 1) predictor = left;
        else if (filter === 2) predictor = up;
        else if (filter === 3) predictor = (left + up) >> 1;
        else if (filter === 4) {
          const estimate = left + up - upLeft;
          const [toLeft, toUp, toUpLeft] = [Math.abs(estimate - left), Math.abs(estimate - up), Math.abs(estimate - upLeft)];
          predictor = toLeft <= toUp && toLeft <= toUpLeft ? left : toUp <= toUpLeft ? up : upLeft;
        }
        row[i] = (row[i]! + predictor) & 255;
      }
      if (y >= top) for (let x = 0; x < width; x++) if (row[x * 4]! < 200) ink++;
      previous = row;
    }
    return ink;
  }

  it('draws the title with no system font reachable (DejaVu Sans from dejavu-fonts-ttf); resvg alone draws none', async () => {
    const svg = await renderSvg({ ...bars, title: { text: 'Training curves', fontSize: 20 } });
    const titleRows = [0, 28] as const;
    const withOwnFont = renderPng(svg, { scale: 1, systemFonts: false });
    // What a machine without fonts got before: resvg with no font draws no text at all.
    const { Resvg } = await import('@resvg/resvg-js');
    const withoutFont = new Resvg(svg, { fitTo: { mode: 'zoom', value: 1 }, background: 'white', font: { loadSystemFonts: false } }).render().asPng();
    expect(pngSize(withOwnFont)).toEqual(pngSize(withoutFont));
    expect(inkPixels(withoutFont, ...titleRows)).toBe(0);
    expect(inkPixels(withOwnFont, ...titleRows)).toBeGreaterThan(100);
  });

  it('with neither its own font, font files nor system fonts, throws instead of drawing no text', async () => {
    const svg = await renderSvg(bars);
    expect(() => renderPng(svg, { systemFonts: false, plotFont: false })).toThrow(/^renderPng: no font to draw text with/);
  });
});
