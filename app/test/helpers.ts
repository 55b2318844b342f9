// Shared test fixtures: configs, databases (PGlite in memory, a throwaway database on the real
// PostgreSQL server from TEST_DATABASE_URL) and an app wired like production.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { type Requirement, requirementMessage } from '@nodeapp/test-support';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { pino } from 'pino';
import { buildApp } from '../src/app.ts';
import { type Config, type DatabaseConfig, loadConfig } from '../src/config.ts';
import { openDatabase, wrapEngine } from '../src/db/database.ts';
import { migrate } from '../src/db/migrations.ts';
import { openPglite } from '../src/db/pglite.ts';
import { tlsOptions } from '../src/db/postgres.ts';
import type { Database } from '../src/db/types.ts';
import { type Lifecycle, newLifecycle } from '../src/lifecycle.ts';
import { loggerOptions } from '../src/logger.ts';
import { createMetrics, type Metrics } from '../src/metrics.ts';

export const ADMIN_TOKEN = 'test-admin-token-0123456789-abcdefghij';

export function testConfig(env: Record<string, string> = {}): Config {
  return loadConfig({ LOG_LEVEL: 'silent', DATA_DIR: 'memory://', ADMIN_TOKEN, RATE_LIMIT_MAX: '1000', ...env });
}

/** For requireOrSkip (@nodeapp/test-support): the tests against a real PostgreSQL server. */
export const postgresRequirement: Requirement = {
  missing: 'no PostgreSQL server (TEST_DATABASE_URL is not set)',
  howToGet:
    'install the PostgreSQL server (apt-get install postgresql; `npm test` then starts a throwaway one) or set TEST_DATABASE_URL',
};

/** The TLS tests also need the server's CA certificate (.ci/postgres.sh makes one when openssl is installed). */
export const postgresTlsRequirement: Requirement = {
  missing: 'no PostgreSQL server with TLS (TEST_DATABASE_URL or TEST_DATABASE_CA_FILE is not set)',
  howToGet: `${postgresRequirement.howToGet}, with openssl installed (or set TEST_DATABASE_CA_FILE)`,
};

export function postgresAvailable(): boolean {
  return Boolean(process.env.TEST_DATABASE_URL);
}

/** The server's TLS settings: verify-full against the test server's self-signed certificate. */
function serverTls(): Pick<Extract<DatabaseConfig, { kind: 'postgres' }>, 'ssl' | 'caFile'> {
  const caFile = process.env.TEST_DATABASE_CA_FILE;
  return caFile ? { ssl: 'verify-full', caFile } : { ssl: 'disable', caFile: undefined };
}

export function testDatabaseEnv(url: string): Record<string, string> {
  const caFile = process.env.TEST_DATABASE_CA_FILE;
  return caFile ? { DATABASE_URL: url, DATABASE_SSL: 'verify-full', DATABASE_CA_FILE: caFile } : { DATABASE_URL: url };
}

/** A fresh, empty database on the test server (so parallel test files never share tables). */
export async function createServerDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const base = process.env.TEST_DATABASE_URL;
  if (!base) throw new Error(requirementMessage(postgresRequirement));
  const name = `nodeapp_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base, ssl: tlsOptions(serverTls()) });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(base);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: base, ssl: tlsOptions(serverTls()) });
      await c.connect();
      try {
        // A server killed mid-test leaves its sessions behind: end ours. Not `WITH (FORCE)`: PostgreSQL 15
        // refuses it while an autovacuum worker is in the database (it is nobody's role), whereas a plain
        // DROP DATABASE stops autovacuum itself and waits a few seconds for the terminated sessions.
        await c.query(
          'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND usename = current_user AND pid <> pg_backend_pid()',
          [name],
        );
        await c.query(`DROP DATABASE IF EXISTS ${name}`);
      } finally {
        await c.end(); // an open client would keep the test file's process alive
      }
    },
  };
}

// PGlite's initdb takes seconds in WASM; an empty cluster dumped once (cached in the temp folder,
// per PGlite version) loads in about one second. Written atomically: parallel test files may race.
async function pgliteTemplate(): Promise<Blob> {
  const entry = createRequire(import.meta.url).resolve('@electric-sql/pglite'); // <pkg>/dist/index.cjs
  const { version } = JSON.parse(readFileSync(join(entry, '..', '..', 'package.json'), 'utf8')) as { version: string };
  const file = join(tmpdir(), `nodeapp-test-pglite-${version}.tgz`);
  if (!existsSync(file)) {
    const { PGlite } = await import('@electric-sql/pglite');
    const fresh = await PGlite.create();
    const dump = await fresh.dumpDataDir('gzip');
    await fresh.close();
    const partial = `${file}.${process.pid}.tmp`;
    writeFileSync(partial, Buffer.from(await dump.arrayBuffer()));
    renameSync(partial, file);
  }
  return new Blob([readFileSync(file)]);
}

/** An empty in-memory PGlite database. */
export async function openTestPglite(metrics?: Metrics): Promise<Database> {
  return wrapEngine(await openPglite('memory://', { loadDataDir: await pgliteTemplate() }), metrics);
}

export interface EngineUnderTest {
  name: 'pglite' | 'postgres';
  open(metrics?: Metrics): Promise<{ db: Database; cleanup: () => Promise<void> }>;
}

/** The two engines every data-access test runs against. */
export const engines: EngineUnderTest[] = [
  {
    name: 'pglite',
    async open(metrics) {
      const db = await openTestPglite(metrics);
      return { db, cleanup: () => db.close() };
    },
  },
  {
    name: 'postgres',
    async open(metrics) {
      const server = await createServerDatabase();
      const config = loadConfig(testDatabaseEnv(server.url)).database;
      const db = await openDatabase(config, metrics);
      return {
        db,
        async cleanup() {
          await db.close();
          await server.drop();
        },
      };
    },
  },
];

/** Collects the JSON log lines an app writes. */
export function captureLogs(level = 'info') {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n')) if (line) lines.push(JSON.parse(line));
      done();
    },
  });
  return { lines, logger: pino(loggerOptions(level), stream) };
}

export interface TestApp {
  app: FastifyInstance;
  db: Database;
  metrics: Metrics;
  lifecycle: Lifecycle;
  logs: Record<string, unknown>[];
  close(): Promise<void>;
}

/** An app on a migrated in-memory PGlite (or the given database), closed by `close()`. */
export async function buildTestApp(options: { env?: Record<string, string>; db?: Database } = {}): Promise<TestApp> {
  const config = testConfig(options.env);
  const metrics = createMetrics({ version: 'test', commit: 'abc123' });
  const db = options.db ?? (await openTestPglite(metrics));
  await migrate(db);
  const { lines, logger } = captureLogs();
  const lifecycle = newLifecycle();
  const app = await buildApp({ config, db, metrics, logger, lifecycle });
  await app.ready();
  return {
    app,
    db,
    metrics,
    lifecycle,
    logs: lines,
    async close() {
      await app.close();
      if (!options.db) await db.close();
    },
  };
}

/** Prepares an on-disk PGlite DATA_DIR from the template, so a child server skips initdb. */
export async function seedPgliteDataDir(dataDir: string): Promise<void> {
  const { PGlite } = await import('@electric-sql/pglite');
  const db = await PGlite.create(join(dataDir, 'pgdata'), { loadDataDir: await pgliteTemplate() });
  await db.close();
}
