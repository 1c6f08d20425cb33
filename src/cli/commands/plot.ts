/**
 * `tfjs-unsupervised plot <run>`: the run's plots (training curves from `metrics.jsonl`, a 2-D
 * projection of test-split embeddings coloured by label and cluster, the Hungarian-matched
 * confusion matrix) as SVG and PNG under `<run>/plots`.
 */
import * as path from 'node:path';

import type { ProjectionMethod } from '../../plot/embedding_scatter.js';
import { writeRunPlots } from '../../plot/write_run_plots.js';
import type { PlotFormat, RunPlotsResult } from '../../plot/write_run_plots.js';
import type { CommandHelp } from '../args.js';
import type { DatasetSplit } from '../datasets.js';
import { displayPath, plural, processIo, writeLine } from '../io.js';
import type { CliIo } from '../io.js';
import { loadRunSplit, runClusters, SPLITS } from '../run_analysis.js';
import { openRun } from '../run_directory.js';
import { BACKEND_OPTION } from './backend.js';
import { parseRunCommand } from './run_command.js';

/** Options of {@link plotRun}. */
export interface PlotRunOptions {
  /** Split whose embeddings are drawn. Default `'test'`. */
  split?: DatasetSplit;
  /** Images embedded and clustered (from the first). Default 5000. */
  limit?: number;
  /** Formats. Default `['svg', 'png']`. */
  formats?: PlotFormat[];
  /** 2-D projection. Default `'pca'`. */
  projection?: ProjectionMethod;
  /** Folder of the plots. Default `<run>/plots`. */
  outDir?: string;
  io?: CliIo;
}

/**
 * Writes the plots of a run with its last checkpoint: embeddings and clusters (the method's own,
 * or k-means on the embeddings) of a sample of a split, with the labels when there are any.
 *
 * @returns the files written (see `writeRunPlots`).
 */
export async function plotRun(runDirectory: string, options: PlotRunOptions = {}): Promise<RunPlotsResult> {
  const io = options.io ?? processIo();
  const split = options.split ?? 'test';
  const run = await openRun(path.resolve(runDirectory), 'plot', (line) => writeLine(io.stderr, line));
  try {
    const dataset = await loadRunSplit(run, split, options.limit ?? 5000, 'plot');
    const features = await run.method.encode(dataset);
    const { clusters } = await runClusters(run, dataset, features);
    const result = await writeRunPlots(run.directory, {
      embeddings: features.data,
      dims: [features.rows, features.cols],
      labels: dataset.labels,
      clusters,
      formats: options.formats,
      projection: options.projection,
      outDir: options.outDir,
      seed: run.config.seed,
      title: `${path.basename(run.directory)} (${run.config.method}, ${plural(run.checkpoint.manifest.epoch, 'epoch')})`,
    });
    writeLine(io.stdout, `wrote ${result.files.length} plot files:`);
    for (const file of result.files) writeLine(io.stdout, `  ${displayPath(file)}`);
    return result;
  } finally {
    run.method.dispose();
  }
}

const HELP: CommandHelp = {
  usage: 'plot <run> [options]',
  summary:
    "Write a run's plots under <run>/plots: training curves (metrics.jsonl), embeddings of a split projected\nto 2-D and coloured by label and by cluster, and the Hungarian-matched confusion matrix.",
  options: [
    { name: 'split', kind: 'string', choices: SPLITS, description: 'split whose embeddings are drawn', default: 'test' },
    { name: 'limit', kind: 'integer', min: 1, description: 'images embedded and clustered', default: 5000 },
    { name: 'format', kind: 'string', choices: ['svg', 'png', 'both'], description: 'file formats', default: 'both' },
    { name: 'projection', kind: 'string', choices: ['pca', 'umap'], description: '2-D projection of the embeddings', default: 'pca' },
    { name: 'out-dir', kind: 'string', placeholder: 'DIR', description: 'folder of the plots', default: '<run>/plots' },
    BACKEND_OPTION,
  ],
};

/** Runs `plot` with its arguments; returns the exit code. */
export async function plotCommand(argv: string[], io: CliIo): Promise<number> {
  const parsed = await parseRunCommand('plot', argv, HELP, io);
  if (parsed === undefined) return 0;
  const { run, values } = parsed;
  const format = (values.format as string | undefined) ?? 'both';
  await plotRun(run, {
    split: values.split as DatasetSplit | undefined,
    limit: values.limit as number | undefined,
    formats: format === 'both' ? ['svg', 'png'] : [format as PlotFormat],
    projection: values.projection as ProjectionMethod | undefined,
    outDir: values['out-dir'] as string | undefined,
    io,
  });
  return 0;
}
