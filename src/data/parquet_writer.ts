/**
 * Embeddings to Parquet, chunk by chunk, through the optional peer `@duckdb/node-api`: rows are
 * appended to a DuckDB table (native memory, spilled to disk by DuckDB when large, never one JS
 * array) and copied to a Parquet file in row groups. Node-only.
 *
 * Columns: `id` (string), `label` (int32, null when unknown), `embedding` (a fixed-size list of
 * float32: Parquet `LIST<FLOAT>`, read by Spark as `array<float>`, by pandas as arrays).
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** Rows of a DuckDB vector (STANDARD_VECTOR_SIZE): the most a data chunk holds. */
const DUCKDB_VECTOR_SIZE = 2048;

/** Rows per Parquet row group. */
export const PARQUET_ROW_GROUP_SIZE = 65536;

type DuckDbModule = typeof import('@duckdb/node-api');

let duckDbModule: Promise<DuckDbModule> | undefined;

/**
 * Loads the optional peer `@duckdb/node-api`.
 *
 * @throws an error naming the package and how to install it when it is missing.
 */
async function loadDuckDb(context: string): Promise<DuckDbModule> {
  duckDbModule ??= import('@duckdb/node-api').catch((error: Error) => {
    duckDbModule = undefined;
    throw new Error(`${context}: writing Parquet needs the optional package @duckdb/node-api, which is not installed: npm install @duckdb/node-api (${error.message.split('\n')[0]}).`);
  });
  return duckDbModule;
}

/** SQL string literal. */
function quote(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/**
 * Writes an embeddings table to a Parquet file, a chunk of rows at a time. The file appears (by
 * rename) only when {@link ParquetEmbeddingWriter.close} has written it whole.
 */
export class ParquetEmbeddingWriter {
  private rows = 0;
  private closed = false;

  private constructor(
    /** The final path. */
    readonly file: string,
    /** Values per embedding. */
    readonly cols: number,
    private readonly duckdb: DuckDbModule,
    private readonly instance: import('@duckdb/node-api').DuckDBInstance,
    private readonly connection: import('@duckdb/node-api').DuckDBConnection,
    private readonly appender: import('@duckdb/node-api').DuckDBAppender,
    private readonly scratch: string,
  ) {}

  /**
   * Opens a writer for embeddings of `cols` values.
   *
   * @throws when `@duckdb/node-api` is missing or `cols` is not a positive integer.
   */
  static async create(file: string, cols: number): Promise<ParquetEmbeddingWriter> {
    const context = 'ParquetEmbeddingWriter.create';
    if (typeof file !== 'string' || file === '') throw new Error(`${context}: file must be a non-empty path, got ${String(file)}.`);
    if (!Number.isInteger(cols) || cols < 1) throw new Error(`${context}: cols must be a positive integer, got ${String(cols)}.`);
    const duckdb = await loadDuckDb(context);
    const resolved = path.resolve(file);
    // A scratch folder for DuckDB's spill files, removed at the end.
    const scratch = await fs.mkdtemp(path.join(os.tmpdir(), 'tfjs-unsupervised-parquet-'));
    const instance = await duckdb.DuckDBInstance.create(':memory:', { temp_directory: scratch, threads: '1' });
    try {
      const connection = await instance.connect();
      await connection.run(`CREATE TABLE embeddings (id VARCHAR NOT NULL, label INTEGER, embedding FLOAT[${cols}] NOT NULL)`);
      const appender = await connection.createAppender('embeddings');
      return new ParquetEmbeddingWriter(resolved, cols, duckdb, instance, connection, appender, scratch);
    } catch (error) {
      instance.closeSync();
      await fs.rm(scratch, { recursive: true, force: true });
      throw error;
    }
  }

  /** Rows appended so far. */
  get rowsWritten(): number {
    return this.rows;
  }

  /**
   * Appends rows: `ids.length` embeddings (row-major in `embeddings`) with their labels (or none).
   *
   * @throws when the lengths do not match.
   */
  async write(ids: readonly string[], embeddings: Float32Array, labels?: Int32Array): Promise<void> {
    if (this.closed) throw new Error(`ParquetEmbeddingWriter.write: ${this.file} is closed already.`);
    const n = ids.length;
    if (embeddings.length !== n * this.cols) throw new Error(`ParquetEmbeddingWriter.write: ${embeddings.length} values for ${n} rows of ${this.cols}.`);
    if (labels !== undefined && labels.length !== n) throw new Error(`ParquetEmbeddingWriter.write: ${labels.length} labels for ${n} rows.`);
    const { arrayValue, ARRAY, FLOAT, INTEGER, VARCHAR, DuckDBDataChunk } = this.duckdb;
    const { appender, cols } = this;
    // Whole data chunks (DuckDB's vectors hold 2048 rows): the values are written into the
    // vectors' memory and handed over in one call per chunk, not one native call per value.
    for (let start = 0; start < n; start += DUCKDB_VECTOR_SIZE) {
      const end = Math.min(n, start + DUCKDB_VECTOR_SIZE);
      const chunk = DuckDBDataChunk.create([VARCHAR, INTEGER, ARRAY(FLOAT, cols)], end - start);
      chunk.setColumnValues(0, ids.slice(start, end));
      chunk.setColumnValues(1, labels === undefined ? new Array<null>(end - start).fill(null) : Array.from(labels.subarray(start, end)));
      const rows = [];
      for (let r = start; r < end; r++) rows.push(arrayValue(Array.from(embeddings.subarray(r * cols, (r + 1) * cols))));
      chunk.setColumnValues(2, rows);
      appender.appendDataChunk(chunk);
    }
    appender.flushSync();
    this.rows += n;
  }

  /** Writes the Parquet file (row groups of {@link PARQUET_ROW_GROUP_SIZE} rows) and renames it into place. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const temporary = path.join(path.dirname(this.file), `.${path.basename(this.file)}.${process.pid}.${Date.now()}.tmp`);
    try {
      this.appender.closeSync();
      await this.connection.run(`COPY (SELECT id, label, embedding FROM embeddings) TO ${quote(temporary)} (FORMAT parquet, ROW_GROUP_SIZE ${PARQUET_ROW_GROUP_SIZE})`);
      await fs.rename(temporary, this.file);
    } catch (error) {
      await fs.rm(temporary, { force: true });
      throw error;
    } finally {
      this.release();
      await fs.rm(this.scratch, { recursive: true, force: true });
    }
  }

  /** Stops writing; nothing is written. */
  async abort(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      this.appender.closeSync();
    } catch {
      // the appender may be broken already; the instance goes anyway
    }
    this.release();
    await fs.rm(this.scratch, { recursive: true, force: true });
  }

  private release(): void {
    this.connection.closeSync();
    this.instance.closeSync();
  }
}
