// The prebuilt empty database: made once (initdb + migrations), copied into a new DATA_DIR instead of running
// initdb there, ignored when another PGlite release made it.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { wrapEngine } from '../../src/db/database.ts';
import { makeTemplate, TEMPLATE_INITDB_ARGS } from '../../src/db/make-pglite-template.ts';
import { loadMigrations, migrate } from '../../src/db/migrations.ts';
import { openPglite } from '../../src/db/pglite.ts';
import { installedPgliteVersion, usableTemplate } from '../../src/db/pglite-template.ts';

const root = mkdtempSync(join(tmpdir(), 'nodeapp-template-'));
after(() => rmSync(root, { recursive: true, force: true }));

test('a new DATA_DIR starts from the template: migrated, no initdb, and it keeps what is written', async () => {
  const template = join(root, 'template');
  assert.equal(await makeTemplate(template), 'made');
  assert.equal(await makeTemplate(template), 'up to date');
  const info = JSON.parse(readFileSync(join(template, 'template.json'), 'utf8'));
  assert.deepEqual(info, {
    pglite: installedPgliteVersion(),
    migrations: (await loadMigrations()).map((m) => m.version),
    initdb: TEMPLATE_INITDB_ARGS,
  });
  // The image carries the template: one 1 MB WAL segment, not PostgreSQL's default 16 MB one (25 MB in all before).
  const wal = readdirSync(join(template, 'pgdata', 'pg_wal')).filter((f) => /^[0-9A-F]{24}$/.test(f));
  assert.deepEqual(
    wal.map((f) => statSync(join(template, 'pgdata', 'pg_wal', f)).size),
    [1024 * 1024],
  );
  const bytes = readdirSync(template, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .reduce((sum, e) => sum + statSync(join(e.parentPath, e.name)).size, 0);
  assert.ok(bytes < 12e6, `the template holds ${bytes} bytes`);

  const dataDir = join(root, 'data');
  const db = wrapEngine(await openPglite(dataDir, { template: usableTemplate(template) ?? false }));
  try {
    // initdb makes template0, template1 and postgres; the template keeps only postgres: this came from the copy.
    const databases = await db.query<{ datname: string }>('SELECT datname FROM pg_database ORDER BY datname');
    assert.deepEqual(
      databases.map((d) => d.datname),
      ['postgres'],
    );
    assert.deepEqual(await migrate(db), [], 'the template is already migrated');
    await db.query('INSERT INTO messages (name, text) VALUES ($1, $2)', ['Ana', 'from the template']);
  } finally {
    await db.close();
  }
  assert.equal(existsSync(join(template, 'pgdata', 'nodeapp.pid')), false, 'the template itself is never opened');

  const again = wrapEngine(await openPglite(dataDir, { template: usableTemplate(template) ?? false }));
  try {
    const rows = await again.query<{ text: string }>('SELECT text FROM messages');
    assert.deepEqual(
      rows.map((r) => r.text),
      ['from the template'],
      'an existing DATA_DIR is opened, not replaced',
    );
  } finally {
    await again.close();
  }

  // Made by another PGlite release (another on-disk format, possibly): not used.
  writeFileSync(join(template, 'template.json'), JSON.stringify({ ...info, pglite: '0.0.1' }));
  assert.equal(usableTemplate(template), undefined);
  assert.equal(usableTemplate(join(root, 'missing')), undefined);
});
