// Embedded PostgreSQL (PGlite, WASM) stored in DATA_DIR: the zero-configuration default.
// PGlite is one in-process connection over files it owns; two processes on one data directory would
// overwrite each other's pages, so a pid lock file refuses a second process with a clear message.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { checkPgliteMemory, liftoffOnly } from './pglite-memory.ts';
import { copyTemplate, usableTemplate } from './pglite-template.ts';
import type { Engine, Runner } from './types.ts';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function takeLock(dataDir: string): string {
  const lockFile = join(dataDir, 'nodeapp.pid');
  try {
    writeFileSync(lockFile, String(process.pid), { flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const owner = Number(readFileSync(lockFile, 'utf8'));
    if (owner !== process.pid && Number.isInteger(owner) && owner > 0 && isAlive(owner)) {
      throw new Error(
        `DATA_DIR ${dataDir} is in use by process ${owner}: embedded PostgreSQL allows one process per data ` +
          `directory (if that process is not this service, delete ${lockFile})`,
      );
    }
    writeFileSync(lockFile, String(process.pid)); // stale lock left by a killed process
  }
  return lockFile;
}

export interface PgliteOptions {
  /** A `dumpDataDir()` tarball for `memory://`: skips the seconds initdb takes in WASM (the tests use it). */
  loadDataDir?: Blob;
  /** Where a new DATA_DIR's database is copied from (pglite-template.ts); false: run initdb. */
  template?: string | false;
  /** Memory limit (memory-limit.ts): below what the start needs, refuse with a clear error. */
  memoryLimitBytes?: number | undefined;
  /** Extra initdb arguments when this start runs initdb (the template's small WAL segments). @default none */
  initdbArgs?: string[];
}

/**
 * PostgreSQL's default shared_buffers (128 MB) is allocated and touched in WebAssembly memory at start: 113 MB of RSS
 * for a buffer cache a guestbook never fills. Its tables and indexes stay in the OS page cache beyond the 16 MB
 * (PGlite reads its files through Node's fs). Measured in BENCHMARKS.md.
 */
const PGLITE_START_PARAMS = [...PGlite.defaultStartParams, '-c', 'shared_buffers=16MB'];

/** `dataDir` is a folder, or `memory://` for a throwaway in-memory database. */
export async function openPglite(dataDir: string, options: PgliteOptions = {}): Promise<Engine> {
  let lockFile: string | undefined;
  let db: PGlite;
  if (dataDir.startsWith('memory://')) {
    db = await PGlite.create(options.loadDataDir ? { loadDataDir: options.loadDataDir } : {});
  } else {
    const dir = resolve(dataDir);
    const pgdata = join(dir, 'pgdata');
    const template =
      existsSync(pgdata) || options.template === false ? undefined : (options.template ?? usableTemplate());
    const start = existsSync(pgdata) || template ? 'open' : 'initdb';
    checkPgliteMemory(options.memoryLimitBytes, start, liftoffOnly());
    mkdirSync(dir, { recursive: true });
    lockFile = takeLock(dir);
    try {
      if (template && !existsSync(pgdata)) copyTemplate(template, pgdata);
      db = await PGlite.create(pgdata, {
        startParams: PGLITE_START_PARAMS,
        ...(options.initdbArgs ? { initDbStartParams: options.initdbArgs } : {}),
      });
    } catch (error) {
      rmSync(lockFile, { force: true });
      throw error;
    }
  }
  let closed = false;
  const runner: Runner = {
    query: async (sql, params) => (await db.query(sql, params)).rows,
    exec: async (sql) => {
      await db.exec(sql);
    },
  };
  return {
    kind: 'pglite',
    ...runner,
    // One connection only: PGlite serialises queries itself, so the whole instance is "the" connection.
    withConnection: (fn) => fn(runner),
    poolStats: () => ({ total: closed ? 0 : 1, idle: closed ? 0 : 1, waiting: 0 }),
    async close() {
      if (closed) return;
      closed = true;
      await db.close();
      if (lockFile) rmSync(lockFile, { force: true });
    },
  };
}
