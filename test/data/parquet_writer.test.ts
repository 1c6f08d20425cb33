import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

import { ParquetEmbeddingWriter } from '../../src/data/parquet_writer.js';
import { queryDuckDb } from '../helpers/read_back.js';

/**
 * The Parquet writer on its own: chunks that do not line up with DuckDB's 2048-row vectors,
 * unknown labels as nulls, values read back by DuckDB bit for bit; the file appears only on close.
 */

const root = mkdtempSync(path.join(tmpdir(), 'tfjs-unsupervised-parquet-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('ParquetEmbeddingWriter', () => {
  it('writes chunks of any size; labels null when unknown; DuckDB reads the same ids and float32 values', async () => {
    const file = path.join(root, 'unlabelled.parquet');
    const rows = 5000;
    const cols = 3;
    const values = Float32Array.from({ length: rows * cols }, (_, i) => Math.fround(Math.cos(i) * 100 + 1e-3 * i));
    const ids = Array.from({ length: rows }, (_, i) => `folder/image ${i}'s.png`);
    const writer = await ParquetEmbeddingWriter.create(file, cols);
    for (let start = 0; start < rows; start += 1500) {
      const end = Math.min(rows, start + 1500);
      await writer.write(ids.slice(start, end), values.slice(start * cols, end * cols));
    }
    expect(writer.rowsWritten).toBe(rows);
    expect(existsSync(file)).toBe(false);
    await writer.close();
    const read = (await queryDuckDb(`SELECT id, label, embedding FROM read_parquet('${file}')`)) as Array<{ id: string; label: number | null; embedding: number[] }>;
    expect(read.map((row) => row.id)).toEqual(ids);
    expect(read.every((row) => row.label === null)).toBe(true);
    expect(Float32Array.from(read.flatMap((row) => row.embedding))).toEqual(values);
    expect(readdirSync(root).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('labels are int32; wrong lengths are errors; abort writes nothing', async () => {
    const file = path.join(root, 'labelled.parquet');
    const writer = await ParquetEmbeddingWriter.create(file, 2);
    await expect(writer.write(['a', 'b'], new Float32Array(3))).rejects.toThrow(/ParquetEmbeddingWriter\.write: 3 values for 2 rows of 2/);
    await expect(writer.write(['a', 'b'], new Float32Array(4), Int32Array.from([1]))).rejects.toThrow(/1 labels for 2 rows/);
    await writer.write(['a', 'b'], Float32Array.from([1, 2, 3, 4]), Int32Array.from([-1, 2147483647]));
    await writer.close();
    expect(await queryDuckDb(`SELECT id, label FROM '${file}'`)).toEqual([
      { id: 'a', label: -1 },
      { id: 'b', label: 2147483647 },
    ]);
    const aborted = await ParquetEmbeddingWriter.create(path.join(root, 'aborted.parquet'), 2);
    await aborted.write(['x'], Float32Array.from([0, 0]));
    await aborted.abort();
    expect(existsSync(path.join(root, 'aborted.parquet'))).toBe(false);
    await expect(ParquetEmbeddingWriter.create(file, 0)).rejects.toThrow(/cols must be a positive integer, got 0/);
  });

  it('without the package @duckdb/node-api: an error naming it and how to install it', () => {
    const hooks = path.join(root, 'no_duckdb_hooks.mjs');
    writeFileSync(hooks, "export async function resolve(specifier, context, next) { if (specifier === '@duckdb/node-api') throw new Error(\"Cannot find package '@duckdb/node-api'\"); return next(specifier, context); }\n");
    const register = path.join(root, 'no_duckdb_register.mjs');
    writeFileSync(register, `import { register } from 'node:module';\nregister(${JSON.stringify(`file://${hooks}`)});\n`);
    const source = fileURLToPath(new URL('../../src/data/parquet_writer.ts', import.meta.url));
    const script = `import { ParquetEmbeddingWriter } from ${JSON.stringify(source)}; ParquetEmbeddingWriter.create(${JSON.stringify(path.join(root, 'none.parquet'))}, 2).then(() => console.log('created'), (e) => console.log(e.message));`;
    const child = spawnSync(process.execPath, ['--import', register, '--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', cwd: path.resolve(path.dirname(source), '../..') });
    expect(child.stdout, child.stderr).toMatch(/ParquetEmbeddingWriter\.create: writing Parquet needs the optional package @duckdb\/node-api, which is not installed: npm install @duckdb\/node-api/);
  });
});
