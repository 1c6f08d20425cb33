/**
 * Headless rendering of Vega-Lite specs: Vega-Lite → Vega → SVG with Vega's own SVG renderer
 * (no browser, no canvas package), and SVG → PNG with resvg (`@resvg/resvg-js`, a Rust renderer
 * shipped as prebuilt Node add-ons inside its npm packages).
 */

import type * as ResvgModule from '@resvg/resvg-js';
import type { TopLevelSpec } from 'vega-lite';
import { importNodeOnly, inNode, isPackageInstalled, nodeBuiltin } from '../core/environment.js';
import { readOptions } from '../data/options.js';
import { PLOT_FONT_FAMILY, PLOT_FONT_PACKAGE, plotFontFiles, plotTextWidth } from './font.js';
import { describeArgument } from '../data/checks.js';

/**
 * The renderers are loaded on first use, not when the library is imported: Vega alone takes about
 * half a second to load, and resvg is a native add-on that a platform without a prebuilt binary
 * could not load at all (only PNG output would then be unavailable).
 */
let nodeRequire: NodeJS.Require | undefined;

/** Node's `require` relative to this file (the renderers are Node packages; the core entry must still bundle for a browser). */
function requireHere(): NodeJS.Require {
  nodeRequire ??= nodeBuiltin('node:module', 'Rendering plots with vega and resvg').createRequire(import.meta.url);
  return nodeRequire;
}
let resvg: typeof ResvgModule | undefined;

function loadResvg(): typeof ResvgModule {
  if (resvg === undefined) {
    if (!isPackageInstalled('@resvg/resvg-js')) {
      throw new Error(`renderPng: the package @resvg/resvg-js is not installed (an optional peer dependency of tfjs-unsupervised, for PNG plots): npm install @resvg/resvg-js ${PLOT_FONT_PACKAGE}`);
    }
    try {
      resvg = requireHere()('@resvg/resvg-js') as typeof ResvgModule;
    } catch (error) {
      throw new Error(`renderPng: could not load @resvg/resvg-js (no prebuilt binary for ${process.platform}-${process.arch}?): ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return resvg;
}

let missingFontWarned = false;

/** A Vega-Lite specification, as produced by the `*Spec` functions of this module. */
export type VegaLiteSpec = TopLevelSpec;

/** Options of {@link renderPng}. */
export interface RenderPngOptions {
  /**
   * Output width in pixels; the height follows the SVG's aspect ratio. Default: the SVG's width ×
   * `scale`.
   */
  width?: number;
  /** Zoom factor applied to the SVG's own size when `width` is not given. Default `2`. */
  scale?: number;
  /**
   * Font files (TTF/OTF/TTC paths) to use besides the plots' own font. resvg reads TTF, OTF and
   * TTC, not WOFF / WOFF2. Default: none.
   */
  fontFiles?: string[];
  /**
   * Draw text with Open Sans from the package `@expo-google-fonts/open-sans` (an optional peer
   * dependency, installed with the plot packages; SIL Open Font License 1.1), the font the layout's
   * text widths are measured from. Default `true` (when the package is installed).
   */
  plotFont?: boolean;
  /**
   * Also use the machine's fonts. Default: `false` when the plots' own font is used (the same
   * picture on every machine), else `true`. Slim containers have no fonts at all: without the
   * plots' own font, `fontFiles` or system fonts, renderPng throws rather than drawing no text.
   */
  systemFonts?: boolean;
  /** Background colour painted under the image (a CSS colour). Default `'white'`. */
  background?: string;
}

/** The 8 bytes every PNG file starts with. */
export const PNG_SIGNATURE: readonly number[] = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/**
 * Renders a Vega-Lite spec to an SVG document, headlessly (Vega's SVG string renderer, text widths
 * from the plots' font's advance widths, no canvas needed).
 *
 * @param spec a Vega-Lite spec with inline data (`data.values`); URLs are not fetched.
 * @returns the SVG document as a string (`<svg …>…</svg>`).
 * @throws when the spec does not compile (Vega-Lite's message is kept).
 * @example
 * const svg = await renderSvg(trainingCurvesSpec(records));
 */
export async function renderSvg(spec: VegaLiteSpec): Promise<string> {
  if (spec === null || typeof spec !== 'object') throw new Error('renderSvg: spec must be a Vega-Lite spec object.');
  if (!inNode()) throw new Error('renderSvg renders with vega in Node; in a browser, show the spec (plain Vega-Lite JSON) with vega-embed.');
  for (const name of ['vega', 'vega-lite']) {
    if (!isPackageInstalled(name)) throw new Error(`renderSvg: the package ${name} is not installed (vega and vega-lite are optional peer dependencies of tfjs-unsupervised, for plots): npm install vega vega-lite`);
  }
  const [vega, { compile }] = await Promise.all([
    importNodeOnly<typeof import('vega')>('vega', 'renderSvg'),
    importNodeOnly<typeof import('vega-lite')>('vega-lite', 'renderSvg'),
  ]);
  const { parse, View } = vega;
  // Vega's own text measure (a canvas, else a rough guess) replaced by the font's widths.
  const metrics = (vega as unknown as { textMetrics?: { width: unknown } }).textMetrics;
  if (metrics !== undefined) metrics.width = plotTextWidth;
  let vegaSpec;
  try {
    vegaSpec = compile(spec).spec;
  } catch (error) {
    throw new Error(`renderSvg: the Vega-Lite spec does not compile: ${error instanceof Error ? error.message : String(error)}`);
  }
  const view = new View(parse(vegaSpec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/**
 * Rasterises an SVG document (for example from {@link renderSvg}) to a PNG with resvg.
 *
 * Text is drawn with the plots' own font, Open Sans from the package
 * `@expo-google-fonts/open-sans` (so a machine without fonts still gets its text), plus
 * `options.fontFiles`; the machine's fonts only when that package is missing or `systemFonts` asks
 * for them.
 *
 * @param svg an SVG document.
 * @param options see {@link RenderPngOptions}.
 * @returns the PNG file's bytes.
 * @throws when `svg` is not an SVG document, or on an invalid `width` / `scale`.
 * @example
 * writeFileSync('curves.png', renderPng(await renderSvg(spec), { width: 1200 }));
 */
export function renderPng(svg: string, options: RenderPngOptions = {}): Uint8Array {
  options = readOptions(options, 'renderPng', { width: 'number', scale: 'number', fontFiles: 'list', background: 'string', plotFont: 'boolean', systemFonts: 'boolean' });
  if (typeof svg !== 'string' || !svg.includes('<svg')) throw new Error('renderPng: expected an SVG document (a string containing <svg …>).');
  const { width, scale = 2, fontFiles = [], background = 'white' } = options;
  if (width !== undefined && (!Number.isInteger(width) || width < 1)) throw new Error(`renderPng: width must be a positive integer, got ${String(width)}.`);
  if (!(Number.isFinite(scale) && scale > 0)) throw new Error(`renderPng: scale must be a positive number, got ${String(scale)}.`);
  const { Resvg } = loadResvg();
  const ownFont = options.plotFont === false ? [] : plotFontFiles();
  const systemFonts = options.systemFonts ?? ownFont.length === 0;
  if (ownFont.length === 0 && fontFiles.length === 0) {
    if (!systemFonts) {
      throw new Error(`renderPng: no font to draw text with (systemFonts: false, no fontFiles${options.plotFont === false ? ', plotFont: false' : `, ${PLOT_FONT_PACKAGE} not installed`}): npm install ${PLOT_FONT_PACKAGE}, or pass fontFiles.`);
    }
    if (options.plotFont !== false && !missingFontWarned) {
      missingFontWarned = true;
      console.warn(`renderPng: the package ${PLOT_FONT_PACKAGE} is not installed, so text is drawn with the machine's fonts (a slim container has none, and its plots would have no text): npm install ${PLOT_FONT_PACKAGE}`);
    }
  }
  const renderer = new Resvg(svg, {
    fitTo: width === undefined ? { mode: 'zoom', value: scale } : { mode: 'width', value: width },
    background,
    font: { loadSystemFonts: systemFonts, fontFiles: [...ownFont, ...fontFiles], defaultFontFamily: PLOT_FONT_FAMILY, sansSerifFamily: PLOT_FONT_FAMILY },
  });
  const png = renderer.render().asPng();
  return new Uint8Array(png.buffer, png.byteOffset, png.byteLength);
}

/** The size of a PNG image, as returned by {@link pngSize}. */
export interface PngSize {
  /** Width in pixels. */
  width: number;
  /** Height in pixels. */
  height: number;
}

/**
 * Width and height of a PNG, read from its IHDR chunk.
 *
 * @throws when `png` does not start with the PNG signature.
 */
export function pngSize(png: Uint8Array): PngSize {
  if (!(png instanceof Uint8Array)) throw new Error(`pngSize: png must be a Uint8Array of PNG bytes, got ${describeArgument(png)}.`);
  if (png.length < 24 || PNG_SIGNATURE.some((b, i) => png[i] !== b)) throw new Error('pngSize: not a PNG file (bad signature).');
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  return { width: view.getUint32(16), height: view.getUint32(20) };
}
