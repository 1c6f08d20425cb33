import type { MethodClass } from '../train/method_core.js';
import type { UnsupervisedMethod } from '../train/unsupervised_method.js';
import type { ImageDataset } from '../data/dataset.js';
import { Autoencoder } from './autoencoder.js';
import { DeepCluster } from './deep_cluster.js';
import { FilterDistinguisher } from './filter_distinguisher.js';
import { IIC } from './iic.js';
import { MineEncoder } from './mine_encoder.js';
import { RelationalReasoning } from './relational_reasoning.js';

/**
 * The methods a restart candidate can be rebuilt from in another thread (`fitBestOfRestartsInWorkers`):
 * the image methods of the library, by their `methodName`, each constructed from JSON options.
 */
export const RESTARTABLE_METHODS: Readonly<Record<string, MethodClass<UnsupervisedMethod<ImageDataset>>>> = Object.fromEntries(
  [Autoencoder, DeepCluster, FilterDistinguisher, IIC, MineEncoder, RelationalReasoning].map((methodClass) => [methodClass.methodName, methodClass as unknown as MethodClass<UnsupervisedMethod<ImageDataset>>]),
);
