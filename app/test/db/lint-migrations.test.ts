// `npm run lint:migrations` (scripts/lint-migrations.ts, squawk): the repository's migrations pass; a destructive
// statement fails unless its file is a marked contract step; locking statements fail either way.
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { lintMigrations, migrationFiles } from '../../scripts/lint-migrations.ts';

const migrations = fileURLToPath(new URL('../../migrations/', import.meta.url));
const timeouts = "SET lock_timeout = '2s';\nSET statement_timeout = '5s';\n";

/** The repository's migrations and config plus `extra` files, in a temporary folder. */
function withMigrations(extra: Record<string, string>, run: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'lint-migrations-'));
  try {
    for (const f of readdirSync(migrations)) copyFileSync(join(migrations, f), join(dir, f));
    for (const [name, sql] of Object.entries(extra)) writeFileSync(join(dir, name), sql);
    run(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test("passes the repository's migrations", () => {
  assert.equal(lintMigrations(migrations), 0);
});

test('refuses a DROP COLUMN in an expand step', () => {
  withMigrations({ '002_drop.sql': `${timeouts}ALTER TABLE messages DROP COLUMN name;\n` }, (dir) => {
    assert.equal(lintMigrations(dir), 1);
  });
});

test('allows the DROP COLUMN in a marked contract step', () => {
  const sql = `-- contract step: no release since 1.4 reads messages.name\n${timeouts}ALTER TABLE messages DROP COLUMN name;\n`;
  withMigrations({ '002_drop.sql': sql }, (dir) => {
    assert.deepEqual(migrationFiles(dir).contract, ['002_drop.sql']);
    assert.equal(lintMigrations(dir), 0);
  });
});

test('refuses a locking statement even in a contract step (no lock timeout; a blocking index build)', () => {
  const mark = '-- contract step: dropping the old index\n';
  withMigrations({ '002_drop.sql': `${mark}ALTER TABLE messages DROP COLUMN name;\n` }, (dir) => {
    assert.equal(lintMigrations(dir), 1);
  });
  withMigrations({ '002_index.sql': `${timeouts}CREATE INDEX messages_created ON messages (created_at);\n` }, (dir) => {
    assert.equal(lintMigrations(dir), 1);
  });
});

test('allows an expand step: a nullable column, with lock and statement timeouts', () => {
  withMigrations({ '002_add.sql': `${timeouts}ALTER TABLE messages ADD COLUMN email text;\n` }, (dir) => {
    assert.equal(lintMigrations(dir), 0);
  });
});
