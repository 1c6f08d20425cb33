/**
 * A method's training defaults and recipes: what `fit` uses when not told, and the named sets of
 * defaults (CPU, GPU, the paper's) a method module offers its callers.
 */

/** What `fit` uses when not told (`UnsupervisedMethod.fitDefaults`). */
export interface FitDefaults {
  /** Epochs; `undefined` when the method's training length is not a count of epochs (its `fit` says what sets it). */
  epochs: number | undefined;
  batchSize: number;
  learningRate: number;
}

/** The training defaults of a method that sets none of its own. */
export const BASE_FIT_DEFAULTS = { epochs: 10, batchSize: 256, learningRate: 1e-3 } as const satisfies FitDefaults;

/**
 * A named set of training defaults a method offers: `'cpu'` — a budget measured on a CPU backend;
 * `'gpu'` — a larger budget for a GPU backend; `'paper'` — the paper's exact setting. The caller
 * picks one (the CLI by the backend it started, or `--paper`); a method's configuration never
 * depends on the backend itself, so the same options build the same method everywhere.
 */
export type RecipeName = 'cpu' | 'gpu' | 'paper';

/** What a recipe changes from the method's own defaults (absent: the method's default). */
export interface TrainingRecipe<TOptions> {
  /** One line: what the recipe is and why (the CLI prints it at the start of `train`). */
  note: string;
  epochs?: number;
  batchSize?: number;
  learningRate?: number;
  /** Constructor options, e.g. IIC's `{ backbone: 'small' }`. */
  options?: Partial<TOptions>;
}
