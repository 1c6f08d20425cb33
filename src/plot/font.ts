/**
 * The plots' own font: Open Sans (SIL Open Font License 1.1) from the npm package
 * `@expo-google-fonts/open-sans`, which ships it as TTF files (resvg reads TTF, OTF and TTC, not
 * WOFF / WOFF2). The PNG renderer hands these files to resvg, so a machine without any system font
 * still gets its text; the SVG layout measures text with the font's advance widths below, so the
 * layout is the same whether or not the package is installed.
 */
import { nodeBuiltin } from '../core/environment.js';

/** The npm package whose TTF files the plots' text is drawn with (an optional peer dependency). */
export const PLOT_FONT_PACKAGE = '@expo-google-fonts/open-sans';

/** The family name of the plots' font (as its TTF files name it, and as the plots' specs ask for it). */
export const PLOT_FONT_FAMILY = 'Open Sans';

/** The regular, bold, italic and bold italic files of {@link PLOT_FONT_FAMILY}, relative to the package folder. */
const FONT_FILES = ['400Regular/OpenSans_400Regular.ttf', '700Bold/OpenSans_700Bold.ttf', '400Regular_Italic/OpenSans_400Regular_Italic.ttf', '700Bold_Italic/OpenSans_700Bold_Italic.ttf'];

/**
 * The TTF files of the plots' font (Open Sans regular, bold, italic, bold italic) from
 * {@link PLOT_FONT_PACKAGE}, as absolute paths; empty when the package is not installed (or in a
 * browser, which has no files).
 */
export function plotFontFiles(): string[] {
  const { createRequire } = nodeBuiltin('node:module', 'plotFontFiles');
  let manifest: string;
  try {
    manifest = createRequire(import.meta.url).resolve(`${PLOT_FONT_PACKAGE}/package.json`);
  } catch {
    return [];
  }
  const { dirname, join } = nodeBuiltin('node:path', 'plotFontFiles');
  const { existsSync } = nodeBuiltin('node:fs', 'plotFontFiles');
  return FONT_FILES.map((file) => join(dirname(manifest), file)).filter((file) => existsSync(file));
}

/** Font units per em of Open Sans. */
const UNITS_PER_EM = 2048;

/**
 * Advance widths in font units of the printable ASCII characters (codes 32 … 126, in order) in
 * Open Sans Regular and Bold, read from the TTF files' `hmtx` tables (package version 0.4.2).
 */
const ASCII_ADVANCES = {
  regular: [
    532, 541, 816, 1323, 1171, 1693, 1492, 449, 604, 604, 1128, 1171, 530, 659, 538, 751, 1171, 1171, 1171, 1171, 1171, 1171, 1171, 1171, 1171, 1171, 538, 538, 1171, 1171, 1171, 884,
    1836, 1295, 1323, 1290, 1486, 1138, 1057, 1489, 1510, 572, 550, 1254, 1069, 1842, 1542, 1593, 1232, 1593, 1264, 1123, 1128, 1493, 1221, 1891, 1183, 1145, 1172, 670, 751, 670, 1171, 897,
    568, 1138, 1253, 981, 1253, 1150, 689, 1112, 1256, 517, 517, 1076, 517, 1896, 1256, 1232, 1253, 1253, 837, 976, 730, 1256, 1023, 1587, 1072, 1026, 960, 768, 1125, 768, 1171,
  ],
  bold: [
    532, 586, 967, 1323, 1171, 1845, 1536, 545, 694, 694, 1116, 1171, 584, 659, 584, 846, 1171, 1171, 1171, 1171, 1171, 1171, 1171, 1171, 1171, 1171, 584, 584, 1171, 1171, 1171, 977,
    1837, 1413, 1376, 1305, 1516, 1147, 1124, 1483, 1567, 678, 678, 1360, 1157, 1931, 1665, 1630, 1286, 1630, 1352, 1128, 1186, 1548, 1331, 1980, 1366, 1278, 1186, 678, 846, 678, 1171, 842,
    741, 1237, 1296, 1053, 1296, 1210, 793, 1157, 1346, 625, 625, 1270, 625, 2011, 1346, 1268, 1296, 1296, 930, 1018, 889, 1346, 1165, 1753, 1184, 1165, 999, 807, 1128, 807, 1171,
  ],
} as const;

/** Advance widths in font units of the non-ASCII characters the plots use (regular, bold). */
const OTHER_ADVANCES: Record<string, readonly [number, number]> = {
  '−': [1171, 1171],
  '–': [1024, 1024],
  '—': [2048, 2048],
  '…': [1593, 1751],
  '×': [1171, 1171],
  '±': [1171, 1171],
  '≥': [1171, 1171],
  '≤': [1171, 1171],
  '°': [877, 877],
  '·': [538, 584],
  µ: [1266, 1352],
};

/** The width counted for any other character: a digit's (the font's most common advance). */
const DEFAULT_ADVANCE = 1171;

/** A Vega text item's font settings, as Vega's text measure receives them. */
export interface TextStyle {
  /** Font size in pixels. Default 11 (Vega's). */
  fontSize?: number | string;
  /** `'bold'`, `'normal'` or a number (600 and above count as bold). */
  fontWeight?: string | number;
}

/**
 * Text width in pixels of `text` in the plots' font (Open Sans) at the item's size and weight:
 * the sum of the characters' advance widths (kerning, which narrows a few pairs, is left out, so
 * the layout errs on the roomy side).
 *
 * @param item the text's size and weight.
 * @param text the text (converted with `String`, trimmed; `null` / `undefined` measure 0).
 * @returns the width in pixels.
 */
export function plotTextWidth(item: TextStyle, text: unknown): number {
  const size = item.fontSize != null ? Number(item.fontSize) || 0 : 11;
  const value = text == null ? '' : String(text).trim();
  const bold = item.fontWeight === 'bold' || Number(item.fontWeight) >= 600;
  const ascii = bold ? ASCII_ADVANCES.bold : ASCII_ADVANCES.regular;
  let units = 0;
  for (const character of value) {
    const code = character.codePointAt(0)!;
    if (code >= 32 && code <= 126) units += ascii[code - 32];
    else units += OTHER_ADVANCES[character]?.[bold ? 1 : 0] ?? DEFAULT_ADVANCE;
  }
  return (units / UNITS_PER_EM) * size;
}
