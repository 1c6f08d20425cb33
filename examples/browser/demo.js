/**
 * The browser demo: trains an autoencoder (or a small IIC) on MNIST in the page with the browser
 * bundle, showing the backend, progress, the loss per epoch, a PCA scatter of the embeddings
 * coloured by k-means cluster after each epoch, and the clustering accuracy and NMI against the
 * labels. `window.demoState` mirrors what the page shows (the browser test reads it).
 */
import { Autoencoder, BrowserModelStore, IIC, clusterAccuracy, idxDataset, initBackend, kmeans, nmi, projectEmbeddings, tf } from './tfjs-unsupervised.js';

const parameters = new URLSearchParams(location.search);
/** A positive integer URL option, else `fallback`; a bad value is shown and the default used. */
function integerOption(name, fallback) {
  if (!parameters.has(name)) return fallback;
  const value = Number(parameters.get(name));
  if (Number.isInteger(value) && value > 0) return value;
  throw new Error(`?${name}= must be a positive integer, got '${parameters.get(name)}'`);
}
const $ = (id) => document.getElementById(id);
const state = (window.demoState = { phase: 'starting', epochsDone: 0, losses: [], finished: false, longTasks: [] });
// Main-thread tasks over 50 ms while training (Long Tasks API): the page must stay responsive.
if (typeof PerformanceObserver === 'function' && PerformanceObserver.supportedEntryTypes?.includes('longtask')) {
  new PerformanceObserver((list) => {
    if (state.phase !== 'training') return;
    for (const entry of list.getEntries()) state.longTasks.push({ ms: Math.round(entry.duration), during: state.activity });
  }).observe({ type: 'longtask', buffered: false });
}
const COLOURS = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac', '#1f77b4', '#d62728'];

function drawLoss(losses, epochs) {
  const canvas = $('loss');
  const g = canvas.getContext('2d');
  g.clearRect(0, 0, canvas.width, canvas.height);
  const [left, top, width, height] = [50, 14, canvas.width - 64, canvas.height - 44];
  g.strokeStyle = '#999';
  g.strokeRect(left, top, width, height);
  if (losses.length === 0) return;
  const low = Math.min(...losses);
  const high = Math.max(...losses);
  const span = high - low || Math.abs(high) || 1;
  const x = (i) => left + (epochs <= 1 ? width / 2 : (i / (epochs - 1)) * width);
  const y = (v) => top + height - ((v - low) / span) * height;
  g.fillStyle = '#222';
  g.font = '11px system-ui';
  g.fillText(high.toPrecision(4), 2, top + 10);
  g.fillText(low.toPrecision(4), 2, top + height);
  g.fillText('epoch', left + width / 2 - 14, canvas.height - 8);
  g.strokeStyle = '#4e79a7';
  g.lineWidth = 2;
  g.beginPath();
  losses.forEach((v, i) => (i === 0 ? g.moveTo(x(i), y(v)) : g.lineTo(x(i), y(v))));
  g.stroke();
  g.fillStyle = '#4e79a7';
  losses.forEach((v, i) => g.fillRect(x(i) - 3, y(v) - 3, 6, 6));
}

function drawScatter(projection, clusters) {
  const canvas = $('scatter');
  const g = canvas.getContext('2d');
  g.clearRect(0, 0, canvas.width, canvas.height);
  const pad = 12;
  const [xs, ys] = [projection.x, projection.y];
  const [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  const [y0, y1] = [Math.min(...ys), Math.max(...ys)];
  for (let i = 0; i < xs.length; i++) {
    g.fillStyle = COLOURS[clusters[i] % COLOURS.length];
    g.globalAlpha = 0.7;
    g.fillRect(pad + ((xs[i] - x0) / (x1 - x0 || 1)) * (canvas.width - 2 * pad) - 1.5, canvas.height - pad - ((ys[i] - y0) / (y1 - y0 || 1)) * (canvas.height - 2 * pad) - 1.5, 3, 3);
  }
  g.globalAlpha = 1;
}

/** Embeds, clusters (k-means, k = 10), scores against the labels and redraws the scatter. */
async function evaluate(method, dataset, kind) {
  const embeddings = kind === 'iic' ? await method.predictProbabilities(dataset) : await method.encode(dataset);
  const dims = [embeddings.rows, embeddings.cols];
  const clusters = kind === 'iic' ? argmax(embeddings) : kmeans(embeddings, 10, { seed: 0, nInit: 2 }).labels;
  const accuracy = clusterAccuracy(dataset.labels, clusters).accuracy;
  const score = nmi(dataset.labels, clusters);
  drawScatter(await projectEmbeddings(embeddings.data, dims, { method: 'pca' }), clusters);
  return { accuracy, nmi: score };
}

function argmax({ data, rows, cols }) {
  const labels = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    let best = 0;
    for (let c = 1; c < cols; c++) if (data[r * cols + c] > data[r * cols + best]) best = c;
    labels[r] = best;
  }
  return labels;
}

async function main() {
  const epochs = integerOption('epochs', 3);
  const limit = integerOption('limit', 2000);
  const kind = parameters.get('method') ?? 'autoencoder';
  if (kind !== 'autoencoder' && kind !== 'iic') throw new Error(`?method= must be autoencoder or iic, got '${kind}'`);
  const info = await initBackend({ backend: parameters.get('backend') ?? 'auto' });
  state.backend = info.name;
  const threads = info.threads !== undefined ? `, ${info.threads} thread${info.threads === 1 ? '' : 's'}` : '';
  const adapter = info.adapter ? `, ${[info.adapter.vendor, info.adapter.architecture].filter(Boolean).join(' ')}${info.adapter.software ? ' (software)' : ''}` : '';
  $('backend').textContent = `backend: ${info.name} (${info.device}${threads}${adapter})${info.fallback ? ` — passed over: ${info.fallback}` : ''}`;

  $('status').textContent = `fetching MNIST (${limit} test images)…`;
  state.phase = 'loading';
  const [images, labels] = await Promise.all([fetch('mnist/t10k-images-idx3-ubyte.gz'), fetch('mnist/t10k-labels-idx1-ubyte.gz')]);
  const dataset = await idxDataset(images, labels, { limit, name: 'mnist-test' });

  const method =
    kind === 'iic'
      ? new IIC({ backbone: [16, 'M', 32, 'M'], numClusters: 10, overclusterClusters: 30, subHeads: 2, seed: 0 })
      : new Autoencoder({ layers: [784, 256, 64, 10], seed: 0 });
  const batchSize = kind === 'iic' ? 100 : 128;
  const steps = Math.ceil(dataset.size / batchSize);
  let stopRequested = false;
  const stopButton = $('stop');
  stopButton.disabled = false;
  const started = performance.now();
  state.phase = 'training';
  state.activity = 'building the networks and the first step';
  while (method.epochsTrained < epochs) {
    stopRequested = false;
    stopButton.textContent = 'Stop';
    stopButton.onclick = () => {
      stopRequested = true;
      stopButton.disabled = true;
    };
    await method.fit(dataset, {
      epochs: epochs - method.epochsTrained,
      batchSize,
      seed: method.epochsTrained,
      progress: 'none',
      onBatchEnd: async (step) => {
        state.activity = `step ${step + 1}`;
        $('progress').value = Math.min(1, (method.epochsTrained * steps + (step % steps) + 1) / (epochs * steps));
        $('progress-text').textContent = `epoch ${method.epochsTrained + 1}/${epochs}, step ${(step % steps) + 1}/${steps}`;
        if (stopRequested) method.stopTraining = true;
        // Yield to the page between steps: it stays responsive while training.
        await new Promise((resolve) => setTimeout(resolve, 0));
      },
      onEpochEnd: async (epoch, logs) => {
        state.activity = `evaluation after epoch ${epoch + 1}`;
        state.losses.push(logs.loss);
        drawLoss(state.losses, epochs);
        const scores = await evaluate(method, dataset, kind);
        state.epochsDone = state.losses.length;
        state.firstEpochSeconds ??= (performance.now() - started) / 1000;
        Object.assign(state, scores);
        $('scores').textContent = `after epoch ${state.epochsDone}: clustering accuracy ${(100 * scores.accuracy).toFixed(1)} %, NMI ${scores.nmi.toFixed(3)} (loss ${logs.loss.toFixed(4)})`;
      },
    });
    if (method.epochsTrained < epochs) {
      // Stopped: wait for Resume.
      state.phase = 'stopped';
      $('status').textContent = `stopped after ${method.epochsTrained} epoch(s)`;
      stopButton.disabled = false;
      stopButton.textContent = 'Resume';
      await new Promise((resolve) => (stopButton.onclick = resolve));
      state.phase = 'training';
    }
    $('status').textContent = `training ${kind} on ${dataset.size} images…`;
  }
  stopButton.disabled = true;
  state.seconds = (performance.now() - started) / 1000;
  state.finished = true;
  state.phase = 'finished';
  $('status').textContent = `finished: ${epochs} epoch(s) of ${kind} in ${state.seconds.toFixed(1)} s on ${info.name}; ${tf.memory().numTensors} tensors held`;
  $('scores').textContent = `final: clustering accuracy ${(100 * state.accuracy).toFixed(1)} %, NMI ${state.nmi.toFixed(3)}`;
  enableModelButtons(method, kind, dataset);
}

/** Save to IndexedDB, download the files (they load in Node with Autoencoder.load(folder)), load back from IndexedDB. */
function enableModelButtons(method, kind, dataset) {
  const Method = kind === 'iic' ? IIC : Autoencoder;
  const key = `indexeddb://tfjs-unsupervised-demo-${kind}`;
  const run = (label, action) => async () => {
    try {
      $('saved').textContent = `${label}…`;
      $('saved').textContent = await action();
    } catch (error) {
      $('saved').textContent = `${label} failed: ${error.message}`;
    }
  };
  $('save').onclick = run('saving', async () => {
    await method.save(new BrowserModelStore(key));
    return `saved to ${key}`;
  });
  $('download').onclick = run('downloading', async () => {
    await method.save(new BrowserModelStore('downloads://'));
    return 'downloaded method.json and each model\'s .json and .weights.bin';
  });
  $('load').onclick = run('loading', async () => {
    const loaded = await Method.load(new BrowserModelStore(key));
    const scores = await evaluate(loaded, dataset, kind);
    loaded.dispose();
    state.loadedScores = scores;
    return `loaded from ${key} (${loaded.epochsTrained} epochs): clustering accuracy ${(100 * scores.accuracy).toFixed(1)} %, NMI ${scores.nmi.toFixed(3)}`;
  });
  for (const id of ['save', 'download', 'load']) $(id).disabled = false;
}

main().catch((error) => {
  state.phase = 'error';
  state.error = String(error.message ?? error);
  $('status').textContent = `error: ${state.error}`;
  $('status').style.color = '#c00';
  console.error(error);
});
