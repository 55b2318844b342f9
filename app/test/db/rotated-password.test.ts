// After the database password rotates (prod: RDS-managed rotation, docs/decisions/0011-rds-managed-master-password.md)
// a running task still holds the old one: every new connection fails authentication. That is the database being
// unavailable to this task — 503 with Retry-After and a failing readiness check, so the load balancer replaces the
// task and the new one starts with the new secret — not a 500 per request.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { requireOrSkip } from '@nodeapp/test-support';
import pg from 'pg';
import { isUnavailable, tlsOptions } from '../../src/db/postgres.ts';
import { postgresAvailable, postgresRequirement } from '../helpers.ts';

test("the server's answer to an old password counts as the database being unavailable", async (t) => {
  if (!requireOrSkip(t, postgresAvailable(), postgresRequirement)) return;
  const url = new URL(process.env.TEST_DATABASE_URL as string);
  url.password = 'not-the-rotated-password';
  const caFile = process.env.TEST_DATABASE_CA_FILE;
  const client = new pg.Client({
    connectionString: url.toString(),
    ssl: tlsOptions(caFile ? { ssl: 'verify-full', caFile } : { ssl: 'disable', caFile: undefined }),
  });
  const error = await client.connect().then(
    () => assert.fail('the server accepted a wrong password'),
    (e: unknown) => e,
  );
  await client.end().catch(() => {});
  // 28P01 invalid_password (https://www.postgresql.org/docs/current/errcodes-appendix.html)
  assert.equal((error as { code?: string }).code, '28P01');
  assert.equal(isUnavailable(error), true);
});
