// The database layer's types, a leaf: the engines (pglite.ts, postgres.ts) implement `Engine`, database.ts wraps one
// into a `Database`, and the rest of the service uses `Database`. Nothing here imports an engine, so dependencies
// point one way: types.ts ← pglite.ts, postgres.ts ← database.ts.
import type { PoolStats } from '../metrics.ts';

/**
 * The database cannot be reached (refused or lost connection, connect or statement timeout, server shutting
 * down): the request may succeed later, so the HTTP layer answers 503 with Retry-After rather than 500.
 */
export class DatabaseUnavailableError extends Error {
  override name = 'DatabaseUnavailableError';
}

export function isDatabaseUnavailable(error: unknown): boolean {
  return error instanceof DatabaseUnavailableError;
}

export interface Queryable {
  /**
   * Runs one statement. `operation` labels the metrics; it defaults to the SQL's first keyword. With `prepare`,
   * the statement is prepared once per connection under the operation's name and then only bound and run (for
   * the hot queries with a fixed text: the server skips parsing and planning them again).
   */
  query<Row = Record<string, unknown>>(
    sql: string,
    params?: unknown[],
    operation?: string,
    prepare?: boolean,
  ): Promise<Row[]>;
  /** Runs a script of several statements without parameters (migrations). */
  exec(sql: string, operation?: string): Promise<void>;
}

export interface Database extends Queryable {
  readonly kind: 'pglite' | 'postgres';
  /** Runs `fn` on one dedicated connection: session-level advisory locks and transactions need that. */
  withConnection<T>(fn: (connection: Queryable) => Promise<T>): Promise<T>;
  poolStats(): PoolStats;
  close(): Promise<void>;
}

/** What an engine implements; `openDatabase` adds the instrumentation. */
export interface Runner {
  /** `name`: a prepared statement's name (engines without prepared statements ignore it). */
  query(sql: string, params: unknown[], name?: string): Promise<unknown[]>;
  exec(sql: string): Promise<void>;
}

export interface Engine extends Runner {
  readonly kind: 'pglite' | 'postgres';
  withConnection<T>(fn: (connection: Runner) => Promise<T>): Promise<T>;
  poolStats(): PoolStats;
  close(): Promise<void>;
}
