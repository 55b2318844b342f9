// Entry point (`node dist/server.js`; the container runs it directly so that signals reach this process).
// Start: config -> database + migrations -> app, warmed up (warmup.ts) -> app on PORT, metrics on METRICS_PORT.
// Stop (SIGTERM/SIGINT): readiness turns 503 at once; requests are still served for
// SHUTDOWN_DRAIN_SECONDS while the load balancer deregisters the task; then the server closes (idle
// keep-alive connections end, in-flight requests finish), the database closes, exit 0.
// A second signal exits at once (close-with-grace), logged as what it is: an operator's choice, not an error.
// Log lines are buffered (logger.ts) and flushed on every way out: exit, signals, fatal and uncaught errors.
// young-generation.ts is evaluated first (a side-effect import keeps its place): before the modules below load.
import './young-generation.ts';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import closeWithGrace from 'close-with-grace';
import { buildApp } from './app.ts';
import { loadConfigOrExit } from './config.ts';
import { openDatabase } from './db/database.ts';
import { migrate, pendingMigrations } from './db/migrations.ts';
import type { Database } from './db/types.ts';
import { newLifecycle } from './lifecycle.ts';
import { createLogger } from './logger.ts';
import { memoryLimitBytes } from './memory-limit.ts';
import { createMetrics, createMetricsServer } from './metrics.ts';
import { connectionSecrets, redact } from './redact.ts';
import { warmUp } from './warmup.ts';
import { startupDone } from './young-generation.ts';

const startedAt = performance.now();
const config = loadConfigOrExit();
const logger = createLogger(config.logLevel);
const memoryLimit = memoryLimitBytes(config.memoryLimitBytes);
const metrics = createMetrics({ version: config.version, commit: config.gitCommit, memoryLimitBytes: memoryLimit });

function fail(message: string, error: unknown): never {
  const shown = error instanceof Error ? error.message : String(error);
  const secrets = config.database.kind === 'postgres' ? connectionSecrets(config.database.connection) : [];
  logger.fatal({ error: redact(shown, secrets) }, message);
  process.exit(1);
}

let db: Database;
try {
  db = await openDatabase(config.database, metrics, { memoryLimitBytes: memoryLimit });
  if (config.migrateOnStart) {
    const applied = await migrate(db);
    logger.info({ database: db.kind, applied }, 'database ready');
  } else {
    // The deploy migrates before the rollout; a release started on an older schema would fail its queries.
    const pending = await pendingMigrations(db);
    if (pending.length > 0) {
      throw new Error(
        `MIGRATE_ON_START=false and migrations are pending: ${pending.join(', ')} (run the migrate command)`,
      );
    }
    logger.info({ database: db.kind, applied: [] }, 'database ready (migrated by the deploy)');
  }
} catch (error) {
  fail('cannot open the database', error);
}

const lifecycle = newLifecycle();
const app = await buildApp({ config, db, metrics, logger, lifecycle });
// Before the port opens: the load balancer's first health check already finds a warm task. On a PostgreSQL server
// (every AWS environment's); the embedded database is one local process with no load balancer, where the start time
// counts instead.
const warm = await warmUp(app, {
  rounds: config.database.kind === 'postgres' ? config.warmUpRounds : 0,
  concurrency: config.database.kind === 'postgres' ? config.database.poolMax : 1,
});
// The warm-up's own requests are not traffic: the histograms start empty.
metrics.httpRequestDuration.reset();
metrics.dbQueryDuration.reset();
const metricsServer = createMetricsServer(metrics.registry);
try {
  await app.listen({ host: config.host, port: config.port });
  await new Promise<void>((resolve, reject) => {
    metricsServer.once('error', reject);
    metricsServer.listen(config.metricsPort, config.metricsHost, resolve);
  });
} catch (error) {
  fail('cannot listen', error);
}

const closeOptions = {
  delay: (config.shutdownDrainSeconds + 20) * 1000,
  logger,
  onSecondSignal: (signal: string) => logger.info({ signal }, 'second signal: exiting without finishing the drain'),
};
closeWithGrace(closeOptions, async ({ signal, err }) => {
  lifecycle.shuttingDown = true;
  if (err) logger.error({ err }, 'unexpected error, shutting down');
  if (signal) {
    logger.info({ signal, drainSeconds: config.shutdownDrainSeconds }, 'shutting down: not ready, draining');
    await sleep(config.shutdownDrainSeconds * 1000);
  }
  logger.info('closing');
  lifecycle.closing = true;
  await app.close();
  metricsServer.close();
  metricsServer.closeAllConnections();
  await db.close();
  logger.info('stopped');
});

logger.info(
  {
    port: (app.server.address() as AddressInfo).port,
    metricsPort: (metricsServer.address() as AddressInfo).port,
    metricsHost: config.metricsHost,
    database: db.kind,
    startupMs: Math.round(performance.now() - startedAt),
    warmUp: warm,
    version: config.version,
  },
  'ready',
);
// The line that says the service is up is written now, not with the next block of request lines.
logger.flush();
startupDone();
