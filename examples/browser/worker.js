/**
 * The demo's training, in a Web Worker so that the page stays responsive: starts the backend,
 * fetches MNIST, trains, and after each epoch embeds, clusters (k-means, or IIC's own clusters),
 * scores and projects (PCA); every step and epoch is posted to the page. Messages in: `start`
 * (the options), `stop`, `resume`, `save` (to IndexedDB).
 */
import { Autoencoder, BrowserModelStore, IIC, idxDataset, initBackend } from './tfjs-unsupervised.js';
import { evaluate } from './evaluate.js';

let method;
let stopRequested = false;
let resume;

async function train({ epochs, limit, kind, backend, threads, storeKey }) {
  const info = await initBackend(threads === undefined ? { backend } : { backend, threads });
  postMessage({ type: 'backend', info });
  const base = new URL('./', location.href).href;
  const [images, labels] = await Promise.all([fetch(`${base}mnist/t10k-images-idx3-ubyte.gz`), fetch(`${base}mnist/t10k-labels-idx1-ubyte.gz`)]);
  const dataset = await idxDataset(images, labels, { limit, name: 'mnist-test' });
  method =
    kind === 'iic'
      ? new IIC({ backbone: [16, 'M', 32, 'M'], numClusters: 10, overclusterClusters: 30, subHeads: 2, seed: 0 })
      : new Autoencoder({ layers: [784, 256, 64, 10], seed: 0 });
  const batchSize = kind === 'iic' ? 100 : 128;
  const steps = Math.ceil(dataset.size / batchSize);
  postMessage({ type: 'training', size: dataset.size, steps });
  const started = performance.now();
  while (method.epochsTrained < epochs) {
    stopRequested = false;
    await method.fit(dataset, {
      epochs: epochs - method.epochsTrained,
      batchSize,
      seed: method.epochsTrained,
      progress: 'none',
      onBatchEnd: (step) => {
        postMessage({ type: 'step', epoch: method.epochsTrained, step: (step % steps) + 1, steps, epochs });
        if (stopRequested) method.stopTraining = true;
      },
      onEpochEnd: async (epoch, logs) => {
        const scores = await evaluate(method, dataset, kind);
        postMessage({ type: 'epoch', epoch: epoch + 1, loss: logs.loss, seconds: (performance.now() - started) / 1000, ...scores }, [scores.x.buffer, scores.y.buffer, scores.clusters.buffer]);
      },
    });
    if (method.epochsTrained < epochs) {
      postMessage({ type: 'stopped', epochsTrained: method.epochsTrained });
      await new Promise((resolve) => (resume = resolve));
      postMessage({ type: 'resumed' });
    }
  }
  postMessage({ type: 'finished', seconds: (performance.now() - started) / 1000, storeKey });
}

onmessage = async ({ data }) => {
  try {
    if (data.type === 'start') await train(data.options);
    else if (data.type === 'stop') stopRequested = true;
    else if (data.type === 'resume') resume?.();
    else if (data.type === 'save') {
      await method.save(new BrowserModelStore(data.storeKey));
      postMessage({ type: 'saved', storeKey: data.storeKey });
    }
  } catch (error) {
    postMessage({ type: 'error', message: String(error?.message ?? error) });
  }
};
