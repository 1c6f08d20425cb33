import * as tf from '@tensorflow/tfjs';

/**
 * Argument checks shared by every layer of the library (the lowest layer that holds them): each
 * throws an error that names the calling function (`context`) and the argument, so that bad input
 * never reaches TF.js or the runtime as `null`, a string or a tensor of the wrong rank (which
 * would surface as "Cannot read properties of null" or a TF.js internal message).
 */

/** A short description of a value for an error message: `null`, `the string 'x'`, `a Float32Array`… */
export function describeArgument(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (typeof value === 'string') return `the string '${value.length > 40 ? `${value.slice(0, 40)}…` : value}'`;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'symbol') return 'a symbol';
  if (value instanceof tf.Tensor) return `a tensor of shape [${value.shape}]`;
  if (Array.isArray(value)) return `an array of ${value.length}`;
  const name = className(value as object);
  return name && name !== 'Object' ? `${/^[AEIOU]/.test(name) ? 'an' : 'a'} ${name}` : 'an object';
}

/**
 * The name of an object's class for an error message, one that a minifying bundler does not
 * mangle where one exists: a method class's static `methodName` (`'Autoencoder'`, not `'t'`), a
 * TF.js serializable class's registered `className` under the name TF.js exports it by
 * (`'LayersModel'`, `'Sequential'`, `'Dense'`, `'AdamOptimizer'`), else `constructor.name`
 * (built-ins such as `Float32Array` keep theirs). In unminified code the name is the class's own.
 *
 * @returns `undefined` for an object without a constructor (`Object.create(null)`).
 */
export function className(value: object): string | undefined {
  const constructor = (value as { constructor?: unknown }).constructor;
  if (typeof constructor !== 'function') return undefined;
  const { methodName, className: registered } = constructor as { methodName?: unknown; className?: unknown };
  if (typeof methodName === 'string' && methodName !== '') return methodName;
  if (value instanceof tf.serialization.Serializable && typeof registered === 'string' && registered !== '') {
    // TF.js registers tf.LayersModel as 'Model' and each optimizer without its 'Optimizer' suffix.
    if (value instanceof tf.LayersModel && registered === 'Model') return 'LayersModel';
    if (value instanceof tf.Optimizer) return `${registered}Optimizer`;
    return registered;
  }
  return (constructor as { name?: string }).name || undefined;
}

/**
 * Checks that `value` is a live tf.Tensor, of rank `rank` (one rank or a list) when given.
 *
 * @param what how the message describes the expected shape, e.g. `'[batch, height, width, channels]'`.
 * @throws `"<context>: <name> must be a tensor …, got null."` and the like.
 */
export function checkTensor(value: unknown, name: string, context: string, rank?: number | readonly number[], what?: string): tf.Tensor {
  const ranks = rank === undefined ? undefined : typeof rank === 'number' ? [rank] : rank;
  const expected = what ?? (ranks === undefined ? 'a tensor' : `a rank-${ranks.join(' or ')} tensor`);
  if (!(value instanceof tf.Tensor)) throw new Error(`${context}: ${name} must be ${expected}, got ${describeArgument(value)}.`);
  if (value.isDisposed) throw new Error(`${context}: ${name} is a disposed tensor.`);
  if (ranks !== undefined && !ranks.includes(value.rank)) throw new Error(`${context}: ${name} must be ${expected}, got shape [${value.shape}].`);
  return value;
}

/** Checks a batch of images: a live rank-4 tensor [batch, height, width, channels]. */
export function checkImageTensor(value: unknown, context: string, name = 'images'): [number, number, number, number] {
  return checkTensor(value, name, context, 4, 'a tensor [batch, height, width, channels]').shape as [number, number, number, number];
}

/** Options of {@link checkNumber}. */
export interface NumberCheck {
  /** Require an integer. */
  integer?: boolean;
  /** Smallest allowed value (inclusive). */
  min?: number;
  /** Largest allowed value (inclusive). */
  max?: number;
}

/**
 * Checks that `value` is a finite number (an integer, within bounds, when asked); returns it.
 *
 * @throws `"<context>: <name> must be a finite number ≥ 0, got NaN."` and the like.
 */
export function checkNumber(value: unknown, name: string, context: string, check: NumberCheck = {}): number {
  const { integer = false, min, max } = check;
  const ok = typeof value === 'number' && Number.isFinite(value) && (!integer || Number.isInteger(value)) && (min === undefined || value >= min) && (max === undefined || value <= max);
  if (!ok) {
    const bounds = [min !== undefined ? `≥ ${min}` : '', max !== undefined ? `≤ ${max}` : ''].filter(Boolean).join(' and ');
    throw new Error(`${context}: ${name} must be ${integer ? 'an integer' : 'a finite number'}${bounds ? ` ${bounds}` : ''}, got ${describeArgument(value)}.`);
  }
  return value as number;
}

/** Checks that `value` is an array or a typed array of numbers (not checked one by one); returns it. */
export function checkNumberArray(value: unknown, name: string, context: string): ArrayLike<number> {
  if (!(Array.isArray(value) || (ArrayBuffer.isView(value) && !(value instanceof DataView)))) {
    throw new Error(`${context}: ${name} must be an array or typed array of numbers, got ${describeArgument(value)}.`);
  }
  return value as unknown as ArrayLike<number>;
}

/** Checks that `value` is a non-empty string (e.g. a path); returns it. */
export function checkString(value: unknown, name: string, context: string): string {
  if (typeof value !== 'string' || value.length === 0) throw new Error(`${context}: ${name} must be a non-empty string, got ${describeArgument(value)}.`);
  return value;
}

/** Checks that `value` is a plain object (a required settings argument, not an options bag that may be omitted); returns it. */
export function checkObject<T extends object>(value: T, name: string, context: string): T {
  if (value === null || typeof value !== 'object' || Array.isArray(value) || value instanceof tf.Tensor) {
    throw new Error(`${context}: ${name} must be an object, got ${describeArgument(value)}.`);
  }
  return value;
}

/**
 * A list option: a copy of `value`, or of `fallback` when it is undefined. The entries are checked
 * by the caller (which knows their meaning); this only makes sure a list was given.
 *
 * @throws `"<context>: <name> must be a list, got NaN."` when `value` is neither undefined nor an array.
 */
export function listOption<T>(value: readonly T[] | undefined, fallback: readonly T[], name: string, context: string): T[] {
  if (value === undefined) return [...fallback];
  if (!Array.isArray(value)) throw new Error(`${context}: ${name} must be a list, got ${describeArgument(value)}.`);
  return [...value];
}

/** The type an option must have, for {@link checkOptionTypes}. */
export type OptionType = 'boolean' | 'number' | 'string' | 'list' | 'object' | 'function';

const OPTION_TYPE_NAMES: Record<OptionType, string> = {
  boolean: 'true or false',
  number: 'a finite number',
  string: 'a string',
  list: 'a list',
  object: 'an object',
  function: 'a function',
};

/**
 * Checks the types of an options object's given entries (undefined ones are left to their
 * defaults), so that e.g. `{ whiten: NaN }` is an error naming `whiten` rather than a silent
 * `false`. Ranges and allowed values stay with the caller, which knows them.
 *
 * @throws `"<context>: <key> must be true or false, got NaN."` and the like.
 */
export function checkOptionTypes(options: object, types: Record<string, OptionType | readonly OptionType[]>, context: string): void {
  for (const [key, allowed] of Object.entries(types)) {
    const value = (options as Record<string, unknown>)[key];
    if (value === undefined) continue;
    const kinds: readonly OptionType[] = typeof allowed === 'string' ? [allowed] : allowed;
    const ok = kinds.some((kind) => {
      switch (kind) {
        case 'boolean':
          return typeof value === 'boolean';
        case 'number':
          return typeof value === 'number' && Number.isFinite(value);
        case 'string':
          return typeof value === 'string';
        case 'list':
          return Array.isArray(value);
        case 'object':
          return value !== null && typeof value === 'object' && !Array.isArray(value);
        case 'function':
          return typeof value === 'function';
      }
    });
    if (!ok) throw new Error(`${context}: ${key} must be ${kinds.map((kind) => OPTION_TYPE_NAMES[kind]).join(' or ')}, got ${describeArgument(value)}.`);
  }
}
