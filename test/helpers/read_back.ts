/**
 * Reading written files back with other tools, shared by the writer and `embed --format` tests:
 * DuckDB for Parquet, numpy (through /usr/bin/python3) for .npy.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';

/** The python that reads .npy files back. */
export const PYTHON = '/usr/bin/python3';

/**
 * Whether {@link PYTHON} can import numpy. When it cannot: with CI=true this throws (CI installs
 * python3-numpy); otherwise `testName` announces on stderr that the numpy read-back is skipped.
 */
export function numpyReadBackAvailable(testName: string): boolean {
  const available = existsSync(PYTHON) && spawnSync(PYTHON, ['-c', 'import numpy'], { encoding: 'utf8' }).status === 0;
  if (!available) {
    if (process.env.CI === 'true') throw new Error(`${testName}: CI=true but ${PYTHON} cannot import numpy (apt-get install python3-numpy).`);
    console.warn(`${testName}: SKIPPING the numpy read-back: ${PYTHON} cannot import numpy (apt-get install python3-numpy).`);
  }
  return available;
}

/** Runs `sql` in a fresh in-memory DuckDB (closed afterwards) and returns its rows as JS objects. */
export async function queryDuckDb(sql: string): Promise<Record<string, unknown>[]> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    return (await connection.runAndReadAll(sql)).getRowObjectsJS();
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
