// A prebuilt empty database (initdb + migrations), made at build time (`npm run build`, the image build) and copied
// into a new DATA_DIR at start: initdb in WebAssembly takes seconds and peaks at twice the memory of opening an
// existing folder (BENCHMARKS.md), so no start, in the container or on a laptop, runs it when the template is there.
// The copy is plain files: PGlite's data folder is the same on every CPU architecture (32-bit WebAssembly).
import { cpSync, existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { wrapEngine } from './database.ts';
import { loadMigrations, migrate } from './migrations.ts';

/** <package root>/pglite-template: src/db/ and dist/db/ are both two levels below it (like migrations/). */
export const defaultTemplateDir = fileURLToPath(new URL('../../pglite-template', import.meta.url));

interface TemplateInfo {
  /** The PGlite release that made it: another release may use another on-disk format. */
  pglite: string;
  migrations: string[];
}

export function installedPgliteVersion(): string {
  const entry = createRequire(import.meta.url).resolve('@electric-sql/pglite'); // <pkg>/dist/index.cjs
  return (JSON.parse(readFileSync(join(dirname(entry), '..', 'package.json'), 'utf8')) as { version: string }).version;
}

function readInfo(dir: string): TemplateInfo | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, 'template.json'), 'utf8')) as TemplateInfo;
  } catch {
    return undefined;
  }
}

/** The template's data folder when the installed PGlite made it, else undefined (then PGlite runs initdb). */
export function usableTemplate(dir: string = defaultTemplateDir): string | undefined {
  const info = readInfo(dir);
  return info?.pglite === installedPgliteVersion() && existsSync(join(dir, 'pgdata')) ? join(dir, 'pgdata') : undefined;
}

/** Copies the template to `pgdata` through a temporary name, so that a crash never leaves half a database. */
export function copyTemplate(template: string, pgdata: string): void {
  const partial = `${pgdata}.partial-${process.pid}`;
  rmSync(partial, { recursive: true, force: true });
  cpSync(template, partial, { recursive: true });
  renameSync(partial, pgdata);
}

/** Makes the template unless one from this PGlite release with these migrations exists. */
export async function makeTemplate(dir: string = defaultTemplateDir): Promise<'made' | 'up to date'> {
  const migrations = await loadMigrations();
  const versions = migrations.map((m) => m.version);
  const info = readInfo(dir);
  if (usableTemplate(dir) && JSON.stringify(info?.migrations) === JSON.stringify(versions)) return 'up to date';
  const target = resolve(dir);
  const partial = `${target}.partial-${process.pid}`;
  rmSync(partial, { recursive: true, force: true });
  const { openPglite } = await import('./pglite.ts');
  const db = wrapEngine(await openPglite(partial, { template: false }));
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
  writeFileSync(
    join(partial, 'template.json'),
    `${JSON.stringify({ pglite: installedPgliteVersion(), migrations: versions })}\n`,
  );
  rmSync(target, { recursive: true, force: true });
  renameSync(partial, target);
  return 'made';
}
