// One small interface over the two engines (embedded PGlite, or a PostgreSQL server through a pg pool).
// The SQL is the same for both; every query goes through `instrument`, which feeds the DB metrics.
import type { DatabaseConfig } from '../config.ts';
import type { Metrics, PoolStats } from '../metrics.ts';

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

function operationOf(sql: string): string {
  return /^\s*([a-z]+)/i.exec(sql)?.[1]?.toLowerCase() ?? 'other';
}

function instrument(runner: Runner, metrics: Metrics | undefined): Queryable {
  async function timed<T>(operation: string, run: () => Promise<T>): Promise<T> {
    const end = metrics?.dbQueryDuration.startTimer({ operation });
    try {
      return await run();
    } catch (error) {
      metrics?.dbQueryErrors.inc({ operation });
      throw error;
    } finally {
      end?.();
    }
  }
  return {
    query: <Row>(sql: string, params: unknown[] = [], operation = operationOf(sql), prepare = false) =>
      timed(operation, () => runner.query(sql, params, prepare ? operation : undefined)) as Promise<Row[]>,
    exec: (sql: string, operation = 'script') => timed(operation, () => runner.exec(sql)),
  };
}

export function wrapEngine(engine: Engine, metrics?: Metrics): Database {
  const root = instrument(engine, metrics);
  metrics?.setPoolStatsSource(() => engine.poolStats());
  return {
    kind: engine.kind,
    query: root.query,
    exec: root.exec,
    withConnection: (fn) => engine.withConnection((connection) => fn(instrument(connection, metrics))),
    poolStats: () => engine.poolStats(),
    close: () => engine.close(),
  };
}

/** Opens the configured engine. Each engine is imported only when used (PGlite's WASM is large). */
export async function openDatabase(
  config: DatabaseConfig,
  metrics?: Metrics,
  options: { memoryLimitBytes?: number | undefined } = {},
): Promise<Database> {
  const engine =
    config.kind === 'pglite'
      ? await (await import('./pglite.ts')).openPglite(config.dataDir, { memoryLimitBytes: options.memoryLimitBytes })
      : await (await import('./postgres.ts')).openPostgres(config);
  return wrapEngine(engine, metrics);
}
