import { checkOptionTypes } from './checks.js';
import type { OptionType } from './checks.js';

/**
 * The options argument every function and method of the library takes last: `undefined` (all
 * defaults) or a plain object. Anything else (`null`, a number, a string, an array) gets an error
 * naming the function, instead of a raw "Cannot read properties of null" from destructuring.
 *
 * @param options the argument as given.
 * @param context the function's name, the start of the error message.
 * @param types the types of some entries, checked when given (see {@link checkOptionTypes}).
 * @returns `options`, or `{}` when it is undefined.
 * @throws when `options` is neither undefined nor a plain object.
 */
export function readOptions<T extends object>(options: T | undefined, context: string, types?: Record<string, OptionType | readonly OptionType[]>): T {
  if (options === undefined) return {} as T;
  if (options === null || typeof options !== 'object' || Array.isArray(options) || ArrayBuffer.isView(options)) {
    const got = options === null ? 'null' : Array.isArray(options) ? 'an array' : typeof options === 'string' ? `the string '${options}'` : typeof options === 'object' ? 'a typed array' : `${typeof options} ${String(options)}`;
    throw new Error(`${context}: options must be an object, got ${got}.`);
  }
  if (types !== undefined) checkOptionTypes(options, types, context);
  return options;
}
