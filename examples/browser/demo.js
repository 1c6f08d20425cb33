/**
 * The browser demo's page: trains an autoencoder (or a small IIC) on MNIST in a Web Worker
 * (worker.js) with the browser bundle, and shows the backend, progress, the loss per epoch, a PCA
 * scatter of the embeddings coloured by cluster after each epoch, and the clustering accuracy and
 * NMI against the labels; stop and resume; save to IndexedDB, download, load back. The page's own
 * thread only draws, so it stays responsive. `window.demoState` mirrors what the page shows (the
 * browser test reads it).
 */
import { Autoencoder, BrowserModelStore, IIC, idxDataset, initBackend } from './tfjs-unsupervised.js';
import { evaluate } from './evaluate.js';

const parameters = new URLSearchParams(location.search);
/** A positive integer URL option, else `fallback`. */
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
  const y = (v) => (high === low ? top + height / 2 : top + height - ((v - low) / span) * height);
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

function drawScatter({ x: xs, y: ys, clusters }) {
  const canvas = $('scatter');
  const g = canvas.getContext('2d');
  g.clearRect(0, 0, canvas.width, canvas.height);
  const pad = 12;
  let [x0, x1, y0, y1] = [Infinity, -Infinity, Infinity, -Infinity];
  for (let i = 0; i < xs.length; i++) [x0, x1, y0, y1] = [Math.min(x0, xs[i]), Math.max(x1, xs[i]), Math.min(y0, ys[i]), Math.max(y1, ys[i])];
  g.globalAlpha = 0.7;
  for (let i = 0; i < xs.length; i++) {
    g.fillStyle = COLOURS[clusters[i] % COLOURS.length];
    g.fillRect(pad + ((xs[i] - x0) / (x1 - x0 || 1)) * (canvas.width - 2 * pad) - 1.5, canvas.height - pad - ((ys[i] - y0) / (y1 - y0 || 1)) * (canvas.height - 2 * pad) - 1.5, 3, 3);
  }
  g.globalAlpha = 1;
}

function describeBackend(info) {
  const threads = info.threads !== undefined ? `, ${info.threads} thread${info.threads === 1 ? '' : 's'}` : '';
  const adapter = info.adapter ? `, ${[info.adapter.vendor, info.adapter.architecture].filter(Boolean).join(' ')}${info.adapter.software ? ' (software)' : ''}` : '';
  const oneThread = info.threadsFallback ? ` — one thread: ${info.threadsFallback}` : '';
  return `backend: ${info.name} (${info.device}${threads}${adapter}, in a Web Worker)${info.fallback ? ` — passed over: ${info.fallback}` : ''}${oneThread}`;
}

function fail(message) {
  state.phase = 'error';
  state.error = message;
  $('status').textContent = `error: ${message}`;
  $('status').style.color = '#c00';
}

function main() {
  const options = { epochs: integerOption('epochs', 3), limit: integerOption('limit', 2000), kind: parameters.get('method') ?? 'autoencoder', backend: parameters.get('backend') ?? 'auto', threads: integerOption('threads', undefined) };
  if (options.kind !== 'autoencoder' && options.kind !== 'iic') throw new Error(`?method= must be autoencoder or iic, got '${options.kind}'`);
  options.storeKey = `indexeddb://tfjs-unsupervised-demo-${options.kind}`;
  const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
  worker.onerror = (event) => fail(`the worker failed: ${event.message}`);
  const stopButton = $('stop');
  stopButton.onclick = () => {
    if (state.phase === 'training') {
      worker.postMessage({ type: 'stop' });
      stopButton.disabled = true;
    } else if (state.phase === 'stopped') {
      worker.postMessage({ type: 'resume' });
    }
  };
  worker.onmessage = ({ data: message }) => {
    switch (message.type) {
      case 'backend':
        state.backend = message.info.name;
        state.threads = message.info.threads;
        state.crossOriginIsolated = crossOriginIsolated;
        $('backend').textContent = describeBackend(message.info);
        $('status').textContent = `fetching MNIST (${options.limit} test images)…`;
        break;
      case 'training':
        state.phase = 'training';
        state.activity = 'building the networks and the first step';
        $('status').textContent = `training ${options.kind} on ${message.size} images…`;
        stopButton.disabled = false;
        break;
      case 'step':
        state.activity = `step ${message.step}`;
        $('progress').value = (message.epoch * message.steps + message.step) / (message.epochs * message.steps);
        $('progress-text').textContent = `epoch ${message.epoch + 1}/${message.epochs}, step ${message.step}/${message.steps}`;
        break;
      case 'epoch':
        state.activity = `drawing epoch ${message.epoch}`;
        state.losses.push(message.loss);
        state.epochsDone = state.losses.length;
        state.firstEpochSeconds ??= message.seconds;
        Object.assign(state, { accuracy: message.accuracy, nmi: message.nmi });
        drawLoss(state.losses, options.epochs);
        drawScatter(message);
        $('scores').textContent = `after epoch ${state.epochsDone}: clustering accuracy ${(100 * message.accuracy).toFixed(1)} %, NMI ${message.nmi.toFixed(3)} (loss ${message.loss.toFixed(4)})`;
        break;
      case 'stopped':
        state.phase = 'stopped';
        $('status').textContent = `stopped after ${message.epochsTrained} epoch(s)`;
        stopButton.textContent = 'Resume';
        stopButton.disabled = false;
        break;
      case 'resumed':
        state.phase = 'training';
        stopButton.textContent = 'Stop';
        $('status').textContent = `training ${options.kind}…`;
        break;
      case 'finished':
        state.seconds = message.seconds;
        state.finished = true;
        state.phase = 'finished';
        stopButton.disabled = true;
        $('status').textContent = `finished: ${options.epochs} epoch(s) of ${options.kind} in ${message.seconds.toFixed(1)} s on ${state.backend}`;
        $('scores').textContent = `final: clustering accuracy ${(100 * state.accuracy).toFixed(1)} %, NMI ${state.nmi.toFixed(3)}`;
        enableModelButtons(worker, options);
        break;
      case 'saved':
        $('saved').textContent = `saved to ${message.storeKey}`;
        break;
      case 'error':
        fail(message.message);
        break;
    }
  };
  worker.postMessage({ type: 'start', options });
}

/** Save (in the worker) to IndexedDB; download and load back here, from IndexedDB (same origin). */
function enableModelButtons(worker, { kind, limit, storeKey, backend }) {
  const Method = kind === 'iic' ? IIC : Autoencoder;
  let started;
  const ready = () => (started ??= initBackend({ backend: backend === 'webgpu' || backend === 'webgl' ? backend : 'auto' }));
  const run = (label, action) => async () => {
    try {
      $('saved').textContent = `${label}…`;
      await ready();
      $('saved').textContent = await action();
    } catch (error) {
      $('saved').textContent = `${label} failed: ${error.message}`;
    }
  };
  $('save').onclick = () => {
    $('saved').textContent = 'saving…';
    worker.postMessage({ type: 'save', storeKey });
  };
  $('download').onclick = run('downloading', async () => {
    const loaded = await Method.load(new BrowserModelStore(storeKey));
    await loaded.save(new BrowserModelStore('downloads://'));
    loaded.dispose();
    return 'downloaded method.json and each model\'s .json and .weights.bin (save to IndexedDB first)';
  });
  $('load').onclick = run('loading', async () => {
    const loaded = await Method.load(new BrowserModelStore(storeKey));
    const [images, labels] = await Promise.all([fetch('mnist/t10k-images-idx3-ubyte.gz'), fetch('mnist/t10k-labels-idx1-ubyte.gz')]);
    const dataset = await idxDataset(images, labels, { limit, name: 'mnist-test' });
    const scores = await evaluate(loaded, dataset, kind);
    loaded.dispose();
    state.loadedScores = { accuracy: scores.accuracy, nmi: scores.nmi };
    return `loaded from ${storeKey} (${loaded.epochsTrained} epochs): clustering accuracy ${(100 * scores.accuracy).toFixed(1)} %, NMI ${scores.nmi.toFixed(3)}`;
  });
  for (const id of ['save', 'download', 'load']) $(id).disabled = false;
}

try {
  main();
} catch (error) {
  fail(String(error.message ?? error));
}
