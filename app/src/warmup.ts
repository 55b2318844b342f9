// Warm-up before the service listens (server.ts): the first requests of a new task would otherwise pay for
// opening the database pool's connections (TCP, TLS, SCRAM), preparing each connection's statements, the
// routes' first-call set-up and V8 running the hot paths unoptimised. Warm-up pays that before the port opens,
// so /health/ready (and the load balancer) see the task only once it is warm.
// The requests go through app.inject (no socket) and write nothing: the list reads, the hello route, the health
// routes and a POST that validation refuses (400). Each round sends the list read `concurrency` times at once, so
// the pool opens that many connections and each prepares the list statement. The warm-up's requests are not logged
// (the log level is raised to warn meanwhile: each request's logger is a child made at that level). Which part
// matters, measured: BENCHMARKS.md "Warm start".
import type { FastifyInstance, InjectOptions } from 'fastify';

/** An address of the documentation range (RFC 5737): warm-up requests get rate-limit buckets of their own. */
const WARM_UP_ADDRESS = '192.0.2.1';

/** One round: what each route's hot path runs, nothing that writes. */
export const WARM_UP_REQUESTS: readonly InjectOptions[] = [
  { method: 'GET', url: '/api/messages' },
  { method: 'GET', url: '/api/messages?limit=5&before=2147483647' },
  { method: 'GET', url: '/api/hello?name=warm-up' },
  { method: 'GET', url: '/health/ready' },
  { method: 'GET', url: '/health/live' },
  // Refused by the schema (name and text are required): validation and the error path, no insert.
  { method: 'POST', url: '/api/messages', payload: {} },
];

export interface WarmUpResult {
  requests: number;
  /** Responses with a 5xx status: the database did not answer (the service starts anyway; readiness tells). */
  failures: number;
  ms: number;
}

export async function warmUp(
  app: FastifyInstance,
  { rounds, concurrency }: { rounds: number; concurrency: number },
): Promise<WarmUpResult> {
  const startedAt = performance.now();
  let requests = 0;
  let failures = 0;
  const send = async (options: InjectOptions) => {
    const response = await app.inject({ ...options, remoteAddress: WARM_UP_ADDRESS });
    requests++;
    if (response.statusCode >= 500) failures++;
  };
  const level = app.log.level;
  if (['trace', 'debug', 'info'].includes(level)) app.log.level = 'warn';
  try {
    for (let round = 0; round < rounds; round++) {
      const list = WARM_UP_REQUESTS[0] as InjectOptions;
      await Promise.all([
        ...Array.from({ length: concurrency }, () => send(list)),
        ...WARM_UP_REQUESTS.slice(1).map(send),
      ]);
    }
  } finally {
    app.log.level = level;
  }
  return { requests, failures, ms: Math.round(performance.now() - startedAt) };
}
