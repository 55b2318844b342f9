// Prometheus metrics (prom-client). Each app instance gets its own registry so tests can build
// many apps in one process; the names and labels are a contract with monitoring/ (see COMMON contracts).
import type { Server } from 'node:http';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { http } from './node-http.ts';

export interface PoolStats {
  total: number;
  idle: number;
  waiting: number;
}

export interface Metrics {
  registry: Registry;
  httpRequestDuration: Histogram<'method' | 'route' | 'status_code'>;
  dbQueryDuration: Histogram<'operation'>;
  dbQueryErrors: Counter<'operation'>;
  /** The database reports its pool through this callback, read at scrape time. */
  setPoolStatsSource(source: () => PoolStats): void;
}

export function createMetrics(info: {
  version: string;
  commit: string;
  memoryLimitBytes?: number | undefined;
}): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });

  const httpRequestDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration in seconds, by method, route template and status code',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const dbQueryDuration = new Histogram({
    name: 'db_query_duration_seconds',
    help: 'Database query duration in seconds, by operation',
    labelNames: ['operation'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const dbQueryErrors = new Counter({
    name: 'db_query_errors_total',
    help: 'Database queries that failed, by operation',
    labelNames: ['operation'] as const,
    registers: [registry],
  });
  let poolStats: () => PoolStats = () => ({ total: 0, idle: 0, waiting: 0 });
  new Gauge({
    name: 'db_pool_connections',
    help: 'Database connections by state (total, idle, waiting clients)',
    labelNames: ['state'] as const,
    registers: [registry],
    collect() {
      const s = poolStats();
      this.set({ state: 'total' }, s.total);
      this.set({ state: 'idle' }, s.idle);
      this.set({ state: 'waiting' }, s.waiting);
    },
  });
  const infoGauge = new Gauge({
    name: 'nodeapp_info',
    help: 'Build information: always 1, labelled with version, git commit and Node.js version',
    labelNames: ['version', 'commit', 'node_version'] as const,
    registers: [registry],
  });
  infoGauge.set({ version: info.version, commit: info.commit, node_version: process.version }, 1);
  if (info.memoryLimitBytes !== undefined) {
    // Monitoring's memory alert divides process_resident_memory_bytes by this (see memory-limit.ts for its source);
    // no limit, no series: a ratio against "unlimited" would mean nothing.
    new Gauge({
      name: 'nodeapp_memory_limit_bytes',
      help: 'Memory limit of this process in bytes: MEMORY_LIMIT_BYTES, else the cgroup limit (absent when unlimited)',
      registers: [registry],
    }).set(info.memoryLimitBytes);
  }

  return {
    registry,
    httpRequestDuration,
    dbQueryDuration,
    dbQueryErrors,
    setPoolStatsSource(source) {
      poolStats = source;
    },
  };
}

/** A plain HTTP server for GET /metrics on its own port, so the public port never exposes it. */
export function createMetricsServer(registry: Registry): Server {
  return http.createServer((req, res) => {
    if (req.method !== 'GET' || req.url?.split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found: metrics are at /metrics\n');
      return;
    }
    registry.metrics().then(
      (body) => res.writeHead(200, { 'content-type': registry.contentType }).end(body),
      () => res.writeHead(500, { 'content-type': 'text/plain' }).end('metrics collection failed\n'),
    );
  });
}
