/** The demo's scoring, shared by the worker (after each epoch) and the page (a model loaded back). */
import { clusterAccuracy, kmeans, nmi, projectEmbeddings } from './tfjs-unsupervised.js';

function argmax({ data, rows, cols }) {
  const labels = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    let best = 0;
    for (let c = 1; c < cols; c++) if (data[r * cols + c] > data[r * cols + best]) best = c;
    labels[r] = best;
  }
  return labels;
}

/** Embeds, clusters, scores against the labels and projects to 2-D. */
export async function evaluate(model, dataset, kind) {
  const embeddings = kind === 'iic' ? await model.predictProbabilities(dataset) : await model.encode(dataset);
  const clusters = kind === 'iic' ? argmax(embeddings) : kmeans(embeddings, 10, { seed: 0, nInit: 2 }).labels;
  const projection = await projectEmbeddings(embeddings.data, [embeddings.rows, embeddings.cols], { method: 'pca' });
  return { accuracy: clusterAccuracy(dataset.labels, clusters).accuracy, nmi: nmi(dataset.labels, clusters), x: projection.x, y: projection.y, clusters };
}

