// `node --liftoff-only src/db/make-pglite-template.ts [folder]`: makes the prebuilt empty database (see
// pglite-template.ts); `npm run build` and the image build run it. Quick when the template is up to date.
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { wrapEngine } from './database.ts';
import { loadMigrations, migrate } from './migrations.ts';
import { openPglite } from './pglite.ts';
import { defaultTemplateDir, installedPgliteVersion, readInfo, usableTemplate } from './pglite-template.ts';

/**
 * The template ships in the image, so its size is the image's: PostgreSQL's default 16 MB WAL segment was two thirds of
 * it (25 MB). A 1 MB segment (`initdb --wal-segsize`, fixed for the life of the data folder) and no recycling of old
 * segments into pre-allocated future ones (`wal_recycle`, written into the folder's postgresql.conf) leave one 1 MB
 * segment: 9 MB in all. initdb scales max_wal_size (64 MB) and min_wal_size (5 MB) to the segment size; the embedded
 * database's writes (a guestbook) are far below either. https://www.postgresql.org/docs/17/app-initdb.html,
 * https://www.postgresql.org/docs/17/runtime-config-wal.html#GUC-WAL-RECYCLE
 */
export const TEMPLATE_INITDB_ARGS = ['--wal-segsize=1', '-c', 'wal_recycle=off'];

/** Makes the template unless one from this PGlite release with these migrations exists. */
export async function makeTemplate(dir: string = defaultTemplateDir): Promise<'made' | 'up to date'> {
  const migrations = await loadMigrations();
  const versions = migrations.map((m) => m.version);
  const info = readInfo(dir);
  const made = { pglite: installedPgliteVersion(), migrations: versions, initdb: TEMPLATE_INITDB_ARGS };
  if (usableTemplate(dir) && JSON.stringify(info) === JSON.stringify(made)) return 'up to date';
  const target = resolve(dir);
  const partial = `${target}.partial-${process.pid}`;
  rmSync(partial, { recursive: true, force: true });
  const db = wrapEngine(await openPglite(partial, { template: false, initdbArgs: TEMPLATE_INITDB_ARGS }));
  try {
    await migrate(db, migrations);
    // A start copies every file of the template, and creating files dominates the copy (about 1 ms each here):
    // the two template databases are two thirds of the ~980 files. This service never runs CREATE DATABASE, the
    // only thing that reads them; dropping them leaves ~380 files (measured in BENCHMARKS.md).
    await db.exec("UPDATE pg_database SET datistemplate = false WHERE datname IN ('template0', 'template1')");
    for (const sql of ['DROP DATABASE template0', 'DROP DATABASE template1', 'CHECKPOINT']) await db.exec(sql); // one by one: not in a transaction
  } finally {
    await db.close();
  }
  writeFileSync(join(partial, 'template.json'), `${JSON.stringify(made)}\n`);
  rmSync(target, { recursive: true, force: true });
  renameSync(partial, target);
  return 'made';
}

if (import.meta.main) {
  const dir = process.argv[2] ?? defaultTemplateDir;
  try {
    const started = performance.now();
    const result = await makeTemplate(dir);
    console.log(`PGlite template ${dir}: ${result} (${Math.round(performance.now() - started)} ms)`);
  } catch (error) {
    console.error(
      `cannot make the PGlite template in ${dir}: ${error instanceof Error ? error.message : String(error)}`,
    );
    process.exit(1);
  }
}
