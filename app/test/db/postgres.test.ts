// The PostgreSQL server engine: TLS verified against a CA file, and refused against the wrong CA.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { requireOrSkip } from '@nodeapp/test-support';
import { loadConfig } from '../../src/config.ts';
import { openDatabase } from '../../src/db/database.ts';
import { postgresTlsRequirement } from '../helpers.ts';

const url = process.env.TEST_DATABASE_URL;
const caFile = process.env.TEST_DATABASE_CA_FILE;

test('connects with TLS verify-full against the server CA, and the session is encrypted', async (t) => {
  if (!requireOrSkip(t, Boolean(url && caFile), postgresTlsRequirement)) return;
  const config = loadConfig({ DATABASE_URL: url, DATABASE_SSL: 'verify-full', DATABASE_CA_FILE: caFile });
  const db = await openDatabase(config.database);
  try {
    const rows = await db.query<{ ssl: boolean }>('SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()');
    assert.equal(rows[0]?.ssl, true);
    assert.deepEqual(db.poolStats().waiting, 0);
  } finally {
    await db.close();
  }
});

test('verify-full with the RDS CA bundle refuses a server whose certificate it does not trust', async (t) => {
  if (!requireOrSkip(t, Boolean(url && caFile), postgresTlsRequirement)) return;
  // No DATABASE_CA_FILE: the bundled RDS CAs, which did not sign the test server's self-signed cert.
  const config = loadConfig({ DATABASE_URL: url, DATABASE_SSL: 'verify-full' });
  await assert.rejects(openDatabase(config.database), /self-signed certificate|unable to verify|certificate/i);
});

test('statement timeout is enforced by the server', async (t) => {
  if (!requireOrSkip(t, Boolean(url && caFile), postgresTlsRequirement)) return;
  const config = loadConfig({
    DATABASE_URL: url,
    DATABASE_SSL: 'verify-full',
    DATABASE_CA_FILE: caFile,
    DATABASE_STATEMENT_TIMEOUT_MS: '200',
  });
  const db = await openDatabase(config.database);
  try {
    await assert.rejects(db.query('SELECT pg_sleep(2)'), /statement timeout/);
  } finally {
    await db.close();
  }
});
