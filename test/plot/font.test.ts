/**
 * The plots carry their own font (Open Sans, OFL-1.1, from @expo-google-fonts/open-sans): resvg
 * draws text with it when no system font is reachable, and the layout's text widths are its.
 */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';

import { PLOT_FONT_FAMILY, PLOT_FONT_PACKAGE, plotFontFiles, plotTextWidth } from '../../src/plot/font.js';
import { pngSize, renderPng, renderSvg } from '../../src/plot/render.js';
import type { VegaLiteSpec } from '../../src/plot/render.js';
import { CONFIG } from '../../src/plot/theme.js';

const bars: VegaLiteSpec = {
  width: 200,
  height: 100,
  data: { values: [{ a: 'x', b: 1 }, { a: 'y', b: 3 }, { a: 'z', b: 2 }] },
  mark: 'bar',
  encoding: { x: { field: 'a', type: 'nominal' }, y: { field: 'b', type: 'quantitative' } },
};

/** Whether each pixel of an RGBA PNG as resvg writes it is ink (red channel below 200), row by row. */
function inkMask(png: Uint8Array): boolean[][] {
  const { width, height } = pngSize(png);
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
  const mask: boolean[][] = [];
  // Undo the PNG row filters (0 none, 1 sub, 2 up, 3 average, 4 Paeth).
  for (let y = 0; y < height; y++) {
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
    mask.push(Array.from({ length: width }, (_, x) => row[x * 4]! < 200));
    previous = row;
  }
  return mask;
}

/** Ink pixels in rows [top, bottom). */
function inkPixels(png: Uint8Array, top: number, bottom: number): number {
  return inkMask(png)
    .slice(top, bottom)
    .reduce((sum, row) => sum + row.filter(Boolean).length, 0);
}

/** The columns of the leftmost and rightmost ink pixel; undefined when there is none. */
function inkColumns(png: Uint8Array): { first: number; last: number } | undefined {
  let first = Infinity;
  let last = -Infinity;
  for (const row of inkMask(png)) {
    row.forEach((ink, x) => {
      if (ink) {
        first = Math.min(first, x);
        last = Math.max(last, x);
      }
    });
  }
  return Number.isFinite(first) ? { first, last } : undefined;
}

describe('the plots carry their own font', () => {
  it('finds Open Sans regular, bold and italics as TTF files of the package, with its OFL licence beside them', () => {
    const files = plotFontFiles();
    expect(files).toHaveLength(4);
    for (const file of files) {
      expect(file.endsWith('.ttf')).toBe(true);
      // TrueType outlines: the sfnt version 0x00010000.
      expect(Array.from(readFileSync(file).subarray(0, 4))).toEqual([0, 1, 0, 0]);
    }
    const folder = path.dirname(path.dirname(files[0]));
    expect(folder.endsWith(path.join(...PLOT_FONT_PACKAGE.split('/')))).toBe(true);
    expect(existsSync(path.join(folder, 'LICENSE_FONT'))).toBe(true);
    expect(readFileSync(path.join(folder, 'LICENSE_FONT'), 'utf8')).toMatch(/SIL Open Font License, Version 1\.1/);
  });

  it('draws the title with no system font reachable (Open Sans from the package); resvg alone draws none', async () => {
    const svg = await renderSvg({ ...bars, title: { text: 'Training curves', fontSize: 20 } });
    // A spec's generic sans-serif is the plots' font too (resvg's sansSerifFamily), as is the plots' theme's first choice.
    expect(svg).toContain('font-family="sans-serif"');
    expect(CONFIG.font.split(',')[0]).toBe(PLOT_FONT_FAMILY);
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

  it("measures text as the font draws it: the layout's width of a line is its inked width plus the side bearings", () => {
    for (const [text, fontWeight] of [
      ['Training curves', 'normal'],
      ['clusters vs true labels: accuracy 83.80 %', 'normal'],
      ['overcluster (0, 1)', 'bold'],
      ['MNIST −0.25 … 1 000 000', 'bold'],
    ] as const) {
      const fontSize = 40;
      const escaped = text.replace(/&/g, '&amp;').replace(/</g, '&lt;');
      const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="1400" height="60"><text x="10" y="45" font-family="${PLOT_FONT_FAMILY}" font-size="${fontSize}" font-weight="${fontWeight}">${escaped}</text></svg>`;
      const columns = inkColumns(renderPng(svg, { scale: 1, systemFonts: false }));
      expect(columns, text).toBeDefined();
      const inked = columns!.last - columns!.first + 1;
      const measured = plotTextWidth({ fontSize, fontWeight }, text);
      // Side bearings of the first and last glyph (and kerning) make the ink a little narrower than
      // the advances (0.992-0.995 here); another font's table (DejaVu Sans's is about 10 % wider) falls outside.
      expect(inked / measured, text).toBeGreaterThan(0.97);
      expect(inked / measured, text).toBeLessThan(1.005);
    }
  });

  it('measures by size, weight and character, and counts nothing for empty text', () => {
    expect(plotTextWidth({ fontSize: 20 }, '')).toBe(0);
    expect(plotTextWidth({ fontSize: 20 }, null)).toBe(0);
    expect(plotTextWidth({ fontSize: 20 }, '  ab ')).toBeCloseTo(plotTextWidth({ fontSize: 20 }, 'ab'), 10);
    expect(plotTextWidth({ fontSize: 22 }, 'loss')).toBeCloseTo(2 * plotTextWidth({ fontSize: 11 }, 'loss'), 10);
    // Vega's default size is 11 px.
    expect(plotTextWidth({}, 'loss')).toBeCloseTo(plotTextWidth({ fontSize: 11 }, 'loss'), 10);
    expect(plotTextWidth({ fontSize: 20, fontWeight: 'bold' }, 'main')).toBeGreaterThan(plotTextWidth({ fontSize: 20 }, 'main'));
    expect(plotTextWidth({ fontSize: 20, fontWeight: 700 }, 'main')).toBe(plotTextWidth({ fontSize: 20, fontWeight: 'bold' }, 'main'));
    expect(plotTextWidth({ fontSize: 20 }, 'i')).toBeLessThan(plotTextWidth({ fontSize: 20 }, 'W'));
    // Every printable ASCII character has its own width (the table has all 95).
    for (let code = 32; code <= 126; code++) expect(plotTextWidth({ fontSize: 10 }, `a${String.fromCharCode(code)}a`)).toBeGreaterThan(plotTextWidth({ fontSize: 10 }, 'aa'));
  });
});
