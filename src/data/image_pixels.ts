/**
 * What the Node image-folder reader and the browser decoder share (browser-safe: no Node and no
 * TF.js imports): the output-size and channel options, the resize policy, and the 8-bit → [0, 1]
 * conversion (the same table as the IDX reader's, so 8-bit pixels become the same floats by
 * either path).
 */

/** A file or blob that could not be decoded: its id (relative path or name) and why. */
export interface SkippedImage {
  file: string;
  reason: string;
}

/** Channels an image folder or a list of image files can be decoded to. */
export type ImageChannels = 1 | 3;

/** The largest side an image may keep when no output size is given (larger needs an explicit size). */
export const MAX_DEFAULT_IMAGE_SIDE = 256;

/** Number of file names a "skipped" warning lists. */
export const SKIPPED_NAMES_SHOWN = 5;

const BYTE_TO_UNIT = Float32Array.from({ length: 256 }, (_, i) => i / 255);

/** 8-bit pixels as floats in [0, 1]: byte / 255, exactly as {@link loadIdx} scales unsigned bytes. */
export function bytesToUnitRange(bytes: Uint8Array): Float32Array {
  const out = new Float32Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = BYTE_TO_UNIT[bytes[i]];
  return out;
}

/**
 * Checks an output size option: `[height, width]` of positive integers, or undefined.
 *
 * @throws an error naming `context` otherwise.
 */
export function checkImageSize(size: unknown, context: string): [number, number] | undefined {
  if (size === undefined) return undefined;
  if (!Array.isArray(size) || size.length !== 2 || size.some((s) => !Number.isInteger(s) || s < 1 || s > 65535)) {
    throw new Error(`${context}: size must be [height, width] of positive integers, got ${describeValue(size)}.`);
  }
  return [size[0], size[1]];
}

/**
 * Checks a channels option: 1 (grey) or 3 (RGB), or undefined.
 *
 * @throws an error naming `context` otherwise.
 */
export function checkImageChannels(channels: unknown, context: string): ImageChannels | undefined {
  if (channels === undefined) return undefined;
  if (channels !== 1 && channels !== 3) throw new Error(`${context}: channels must be 1 (grey) or 3 (RGB), got ${describeValue(channels)}.`);
  return channels;
}

/**
 * The default output size: the first image's own, when neither side exceeds
 * {@link MAX_DEFAULT_IMAGE_SIDE}.
 *
 * @throws an error naming the first image and asking for an explicit size otherwise.
 */
export function defaultImageSize(height: number, width: number, firstName: string, context: string, sizeHint: string): [number, number] {
  if (height > MAX_DEFAULT_IMAGE_SIDE || width > MAX_DEFAULT_IMAGE_SIDE) {
    throw new Error(
      `${context}: the first image, ${firstName}, is ${height}x${width} (height x width); without an explicit size images keep the first one's size only up to ` +
        `${MAX_DEFAULT_IMAGE_SIDE}x${MAX_DEFAULT_IMAGE_SIDE}. Give the size to train at, e.g. ${sizeHint}.`,
    );
  }
  return [height, width];
}

/**
 * The resize policy, as a source rectangle: scale the image so that its short side (relative to
 * the output's aspect ratio) fits the output exactly, then take the centre. Returns the part of
 * the source image (in source pixels) that is scaled onto the whole output.
 */
export function centreCropRectangle(sourceHeight: number, sourceWidth: number, height: number, width: number): { top: number; left: number; height: number; width: number } {
  const scale = Math.max(height / sourceHeight, width / sourceWidth);
  const cropHeight = Math.min(sourceHeight, height / scale);
  const cropWidth = Math.min(sourceWidth, width / scale);
  return { top: (sourceHeight - cropHeight) / 2, left: (sourceWidth - cropWidth) / 2, height: cropHeight, width: cropWidth };
}

/** A warning line for skipped files: the count and the first names. */
export function skippedWarning(context: string, skipped: readonly { file: string; reason: string }[]): string {
  const shown = skipped.slice(0, SKIPPED_NAMES_SHOWN).map((s) => `${s.file} (${s.reason})`);
  const more = skipped.length > shown.length ? `, and ${skipped.length - shown.length} more` : '';
  return `${context}: skipped ${skipped.length} file${skipped.length === 1 ? '' : 's'} that could not be decoded: ${shown.join('; ')}${more}. Pass strict to make this an error.`;
}

function describeValue(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (typeof value === 'string') return `the string '${value}'`;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  try {
    return JSON.stringify(value) ?? typeof value;
  } catch {
    return typeof value;
  }
}
