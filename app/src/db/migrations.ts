// Versioned SQL migrations from app/migrations (NNN_name.sql, applied in order, each once, each in a
// transaction). A session-level advisory lock serialises concurrent runners: when several tasks start
// at once, one applies the migrations and the others wait, then find nothing left to do.
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import type { Database } from './types.ts';

/** Package root's migrations/ folder: src/db/ and dist/db/ are both two levels below it. */
export const defaultMigrationsDir = new URL('../../migrations/', import.meta.url);

// Arbitrary but fixed: every process of this service must use the same key.
const MIGRATION_LOCK_KEY = 7_263_540_001;

export interface Migration {
  version: string;
  sql: string;
  checksum: string;
}

export async function loadMigrations(dir: URL = defaultMigrationsDir): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((f) => /^\d{3,}_[a-z0-9_]+\.sql$/.test(f)).sort();
  return Promise.all(
    files.map(async (file) => {
      const sql = await readFile(new URL(file, dir), 'utf8');
      return { version: file.replace(/\.sql$/, ''), sql, checksum: createHash('sha256').update(sql).digest('hex') };
    }),
  );
}

/** The versions of `migrations` not applied to this database yet (all of them on an empty database). */
export async function pendingMigrations(db: Database, migrations?: Migration[]): Promise<string[]> {
  const known = migrations ?? (await loadMigrations());
  return db.withConnection(async (c) => {
    const [table] = await c.query<{ exists: boolean }>(
      "SELECT to_regclass('schema_migrations') IS NOT NULL AS exists",
      [],
      'migrate',
    );
    if (!table?.exists) return known.map((m) => m.version);
    const rows = await c.query<{ version: string }>('SELECT version FROM schema_migrations', [], 'migrate');
    const applied = new Set(rows.map((r) => r.version));
    return known.filter((m) => !applied.has(m.version)).map((m) => m.version);
  });
}

/** Applies pending migrations; returns the versions this call applied. */
export async function migrate(db: Database, migrations?: Migration[]): Promise<string[]> {
  const pending = migrations ?? (await loadMigrations());
  return db.withConnection(async (c) => {
    await c.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY], 'migrate_lock');
    try {
      await c.exec(
        'CREATE TABLE IF NOT EXISTS schema_migrations (version text PRIMARY KEY, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())',
        'migrate',
      );
      const rows = await c.query<{ version: string; checksum: string }>(
        'SELECT version, checksum FROM schema_migrations',
        [],
        'migrate',
      );
      const applied = new Map(rows.map((r) => [r.version, r.checksum]));
      const done: string[] = [];
      for (const m of pending) {
        const checksum = applied.get(m.version);
        if (checksum !== undefined) {
          // Expand/contract: an applied migration is never edited; a change is a new file.
          if (checksum !== m.checksum) throw new Error(`migration ${m.version} was modified after it was applied`);
          continue;
        }
        await c.exec('BEGIN', 'migrate');
        try {
          await c.exec(m.sql, 'migrate');
          await c.query(
            'INSERT INTO schema_migrations (version, checksum) VALUES ($1, $2)',
            [m.version, m.checksum],
            'migrate',
          );
          await c.exec('COMMIT', 'migrate');
        } catch (error) {
          await c.exec('ROLLBACK', 'migrate');
          throw new Error(`migration ${m.version} failed: ${(error as Error).message}`, { cause: error });
        }
        done.push(m.version);
      }
      return done;
    } finally {
      await c.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY], 'migrate_lock');
    }
  });
}
