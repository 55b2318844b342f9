// One small interface over the two engines (embedded PGlite, or a PostgreSQL server through a pg pool).
// The SQL is the same for both; every query goes through `instrument`, which feeds the DB metrics.
import type { DatabaseConfig } from '../config.ts';
import type { Metrics } from '../metrics.ts';
import type { Database, Engine, Queryable, Runner } from './types.ts';

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
