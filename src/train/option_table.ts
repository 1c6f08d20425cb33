/**
 * A method's option table: for each option a command line may set, its flag, kind, range or
 * choices and one line of help. The method module keeps it beside its defaults; its resolve
 * function checks values against the same rows (with {@link checkIntegerOption} and
 * {@link checkChoiceOption}), and the CLI generates its flags and help from it, so no range or
 * choice list is written twice.
 */

/** One option as a command-line flag. */
export interface OptionRow {
  /** The flag without its dashes, e.g. `'sub-heads'`. */
  flag: string;
  kind: 'string' | 'integer' | 'number' | 'boolean';
  /** One line of help. */
  description: string;
  /** Placeholder of the value in help, e.g. `W1,W2,...`. */
  placeholder?: string;
  /** The only values allowed (a `string` option). */
  choices?: readonly string[];
  /** Smallest value allowed (an `integer` or `number` option). */
  min?: number;
  /** Whether `min` itself is excluded. */
  exclusiveMin?: boolean;
}

/** The rows of a method's options, by option name (those a command line may set). */
export type OptionTable<TOptions> = { readonly [K in keyof TOptions & string]?: OptionRow };

/**
 * Checks an integer option against its row's `min` (default 1).
 *
 * @param name how the message names the option, e.g. `'numClusters'`.
 * @throws `<context>: <name> must be a positive integer, got <value>.` (min 1), or `… must be an
 *   integer ≥ <min> …`.
 */
export function checkIntegerOption(value: number, name: string, row: OptionRow, context: string): void {
  const min = row.min ?? 1;
  if (!Number.isInteger(value) || value < min) throw new Error(`${context}: ${name} must be ${min === 1 ? 'a positive integer' : `an integer ≥ ${min}`}, got ${value}.`);
}

/**
 * Checks a string option against its row's `choices`.
 *
 * @throws `<context>: <name> must be 'a', 'b' or 'c', got '<value>'.`
 */
export function checkChoiceOption(value: unknown, name: string, row: OptionRow, context: string): void {
  const choices = row.choices ?? [];
  if (typeof value === 'string' && choices.includes(value)) return;
  throw new Error(`${context}: ${name} must be ${describeChoices(choices)}, got '${String(value)}'.`);
}

/** `'a', 'b' or 'c'`. */
export function describeChoices(choices: readonly string[]): string {
  const quoted = choices.map((c) => `'${c}'`);
  return quoted.length <= 1 ? quoted.join('') : `${quoted.slice(0, -1).join(', ')} or ${quoted[quoted.length - 1]}`;
}

/** The row of a VGG `backbone` option (IIC, MineEncoder, DeepCluster). */
export const VGG_BACKBONE_ROW = {
  flag: 'backbone',
  kind: 'string',
  placeholder: 'F|small|16,M,32,...',
  description: 'VGG backbone: a named config or channel counts with M for max-pool',
} as const satisfies OptionRow;
