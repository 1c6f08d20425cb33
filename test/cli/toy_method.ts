import * as tf from '@tensorflow/tfjs';

import { optionSpecs, registerMethod } from '../../src/cli/method_registry.js';
import type { ImageDataset } from '../../src/data/dataset.js';
import { seededKernelInitializer } from '../../src/nn/initializers.js';
import { ImageMethod } from '../../src/train/image_method.js';
import { checkIntegerOption } from '../../src/train/option_table.js';
import type { OptionTable } from '../../src/train/option_table.js';
import type { SavedModels } from '../../src/train/saved_method.js';
import type { BatchLossResult, MethodOptions, TrainingBatch } from '../../src/train/unsupervised_method.js';

/** Options of {@link ToyAutoencoder}. */
export interface ToyOptions extends MethodOptions {
  /** Width of the code. Default 4. */
  codeSize?: number;
}

/** Its options as command-line flags: the constructor checks against these rows, the CLI makes its flags of them. */
export const TOY_OPTION_TABLE = {
  codeSize: { flag: 'code-size', kind: 'integer', min: 1, description: 'width of the code' },
} as const satisfies OptionTable<ToyOptions>;

/** A linear autoencoder: flattened image → code → reconstruction, trained with squared error. */
export class ToyAutoencoder extends ImageMethod {
  readonly name = 'ToyAutoencoder';
  override readonly config: { codeSize: number; seed: number };
  encoder: tf.Sequential | undefined;
  decoder: tf.Sequential | undefined;

  constructor(options: ToyOptions = {}) {
    super(options);
    const codeSize = options.codeSize ?? 4;
    checkIntegerOption(codeSize, 'codeSize', TOY_OPTION_TABLE.codeSize, 'ToyAutoencoder');
    this.config = { codeSize, seed: this.seed };
  }

  /** Called once, for the shape of the first data it sees. */
  protected override build(dataset: ImageDataset): void {
    const [h, w, c] = dataset.shape;
    const kernelInitializer = (index: number) => seededKernelInitializer(this.seed, index);
    this.encoder = tf.sequential({ layers: [tf.layers.flatten({ inputShape: [h, w, c] }), tf.layers.dense({ units: this.config.codeSize, kernelInitializer: kernelInitializer(0) })] });
    this.decoder = tf.sequential({ layers: [tf.layers.dense({ inputShape: [this.config.codeSize], units: h * w * c, kernelInitializer: kernelInitializer(1) })] });
  }

  /** Runs inside the gradient tape: tensors only. */
  protected override batchLoss(batch: TrainingBatch): BatchLossResult {
    const reconstruction = this.decoder!.apply(this.encoder!.apply(batch.inputs)) as tf.Tensor;
    return tf.losses.meanSquaredError(batch.inputs.reshape(reconstruction.shape), reconstruction) as tf.Scalar;
  }

  protected override encodeBatch(inputs: tf.Tensor): tf.Tensor {
    return this.encoder!.apply(inputs) as tf.Tensor;
  }

  /** Saved, loaded, disposed and trained by the base class, by these names. */
  protected override models(): Record<string, tf.LayersModel | undefined> {
    return { encoder: this.encoder, decoder: this.decoder };
  }

  protected override restore({ models }: SavedModels): void {
    this.encoder = models.encoder as tf.Sequential;
    this.decoder = models.decoder as tf.Sequential;
  }
}

registerMethod({
  name: 'toy',
  className: 'ToyAutoencoder',
  summary: 'a linear autoencoder (the worked example of docs/ARCHITECTURE.md)',
  // --epochs and --batch-size when not given: the class's own, never a copy of its numbers.
  defaults: new ToyAutoencoder().fitDefaults,
  epochBased: true,
  // Flags and their defaults from the table and the class's own configuration.
  options: optionSpecs(TOY_OPTION_TABLE, new ToyAutoencoder().config),
  create: ({ seed, options }) => new ToyAutoencoder({ seed, codeSize: options['code-size'] as number }),
  load: (directory) => ToyAutoencoder.load(directory),
});
