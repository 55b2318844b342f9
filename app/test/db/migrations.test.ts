import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { requireOrSkip } from '@nodeapp/test-support';
import { loadMigrations, migrate, pendingMigrations } from '../../src/db/migrations.ts';
import { openPglite } from '../../src/db/pglite.ts';
import {
  createServerDatabase,
  openTestPglite,
  postgresAvailable,
  postgresRequirement,
  seedPgliteDataDir,
  testDatabaseEnv,
} from '../helpers.ts';

const appDir = fileURLToPath(new URL('../../', import.meta.url));

test('migrations apply once, in order, and a second run does nothing', async () => {
  const db = await openTestPglite();
  try {
    assert.deepEqual(await migrate(db), ['001_create_messages']);
    assert.deepEqual(await migrate(db), []);
    const rows = await db.query<{ version: string }>('SELECT version FROM schema_migrations');
    assert.deepEqual(rows, [{ version: '001_create_messages' }]);
  } finally {
    await db.close();
  }
});

test('pending migrations: all of them on an empty database, none once migrated', async () => {
  const db = await openTestPglite();
  try {
    assert.deepEqual(await pendingMigrations(db), ['001_create_messages']);
    await migrate(db);
    assert.deepEqual(await pendingMigrations(db), []);
  } finally {
    await db.close();
  }
});

// In AWS the deploy's migrate task runs first (MIGRATE_ON_START=false in the task): a task that meets an older
// schema stops at once (ECS's circuit breaker then rolls the release back) instead of failing its queries.
test('MIGRATE_ON_START=false: the service refuses to start on a schema with pending migrations', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'nodeapp-no-migrate-'));
  try {
    await seedPgliteDataDir(dataDir);
    const child = spawn(process.execPath, ['--liftoff-only', 'src/server.ts'], {
      cwd: appDir,
      env: { PATH: process.env.PATH, DATA_DIR: dataDir, PORT: '0', METRICS_PORT: '0', MIGRATE_ON_START: 'false' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    assert.equal(code, 1, output);
    assert.match(output, /MIGRATE_ON_START=false and migrations are pending: 001_create_messages/);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('a failing migration rolls back entirely and stops with its name', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'nodeapp-migrations-'));
  writeFileSync(join(dir, '001_ok.sql'), 'CREATE TABLE a (id int);');
  writeFileSync(join(dir, '002_broken.sql'), 'CREATE TABLE b (id int); SELECT no_such_function();');
  const db = await openTestPglite();
  try {
    const migrations = await loadMigrations(pathToFileURL(`${dir}/`));
    await assert.rejects(migrate(db, migrations), /migration 002_broken failed/);
    const tables = await db.query<{ name: string }>(
      "SELECT table_name AS name FROM information_schema.tables WHERE table_name IN ('a', 'b') ORDER BY 1",
    );
    assert.deepEqual(tables, [{ name: 'a' }]);
  } finally {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('editing an applied migration is refused (expand/contract: add a new file instead)', async () => {
  const db = await openTestPglite();
  try {
    const [original] = await loadMigrations();
    assert.ok(original);
    await migrate(db, [original]);
    await assert.rejects(migrate(db, [{ ...original, checksum: 'changed' }]), /was modified after it was applied/);
  } finally {
    await db.close();
  }
});

test('PGlite: a second process on the same DATA_DIR is refused', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'nodeapp-datadir-'));
  try {
    // The lock names a live process other than this one: the test runner that started us.
    writeFileSync(join(dir, 'nodeapp.pid'), String(process.ppid));
    await assert.rejects(openPglite(dir), /in use by process \d+/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

function runMigrate(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['src/migrate.ts'], { cwd: appDir, env: { ...process.env, ...env } });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('close', (code) => resolve({ code, output }));
  });
}

test('two processes migrating one empty PostgreSQL database at once both succeed; schema applied once', async (t) => {
  if (!requireOrSkip(t, postgresAvailable(), postgresRequirement)) return;
  const server = await createServerDatabase();
  try {
    const env = testDatabaseEnv(server.url);
    const results = await Promise.all([runMigrate(env), runMigrate(env)]);
    for (const r of results) assert.equal(r.code, 0, r.output);
    const outputs = results.map((r) => r.output.trim()).sort();
    // Exactly one of them applied the migration; the other waited on the lock and found nothing to do.
    assert.deepEqual(outputs, ['applied: 001_create_messages', 'database schema is up to date']);
  } finally {
    await server.drop();
  }
});
