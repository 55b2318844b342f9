// Entry point (`node dist/server.js`; the container runs it directly so that signals reach this process).
// Start: config -> database + migrations -> app on PORT, metrics on METRICS_PORT.
// Stop (SIGTERM/SIGINT): readiness turns 503 at once; requests are still served for
// SHUTDOWN_DRAIN_SECONDS while the load balancer deregisters the task; then the server closes (idle
// keep-alive connections end, in-flight requests finish), the database closes, exit 0.
// A second signal exits at once (close-with-grace).
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import closeWithGrace from 'close-with-grace';
import { buildApp } from './app.ts';
import { loadConfigOrExit } from './config.ts';
import { type Database, openDatabase } from './db/database.ts';
import { migrate } from './db/migrations.ts';
import { createLogger } from './logger.ts';
import { memoryLimitBytes } from './memory-limit.ts';
import { createMetrics, createMetricsServer } from './metrics.ts';
import type { Lifecycle } from './routes/health.ts';

const startedAt = performance.now();
const config = loadConfigOrExit();
const logger = createLogger(config.logLevel);
const memoryLimit = memoryLimitBytes(config.memoryLimitBytes);
const metrics = createMetrics({ version: config.version, commit: config.gitCommit, memoryLimitBytes: memoryLimit });

function fail(message: string, error: unknown): never {
  logger.fatal({ error: error instanceof Error ? error.message : String(error) }, message);
  process.exit(1);
}

let db: Database;
try {
  db = await openDatabase(config.database, metrics, { memoryLimitBytes: memoryLimit });
  const applied = await migrate(db);
  logger.info({ database: db.kind, applied }, 'database ready');
} catch (error) {
  fail('cannot open the database', error);
}

const lifecycle: Lifecycle = { shuttingDown: false };
const app = await buildApp({ config, db, metrics, logger, lifecycle });
const metricsServer = createMetricsServer(metrics.registry);
try {
  await app.listen({ host: config.host, port: config.port });
  await new Promise<void>((resolve, reject) => {
    metricsServer.once('error', reject);
    metricsServer.listen(config.metricsPort, config.host, resolve);
  });
} catch (error) {
  fail('cannot listen', error);
}

closeWithGrace({ delay: (config.shutdownDrainSeconds + 20) * 1000, logger }, async ({ signal, err }) => {
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
    database: db.kind,
    startupMs: Math.round(performance.now() - startedAt),
    version: config.version,
  },
  'ready',
);
