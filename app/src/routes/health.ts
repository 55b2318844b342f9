// Health checks. live: the process answers. ready: the database answers (a check at most a second old, shared by
// every caller) and no shutdown has begun; the load balancer stops routing to a task as soon as ready turns 503 (see
// server.ts, drain).
import type { FastifyInstance } from 'fastify';
import { ping } from '../db/messages.ts';
import { Status } from './schemas.ts';
import type { RouteDependencies } from './types.ts';

const READY_PING_TIMEOUT_MS = 2000;
/** A readiness result is reused this long: at most one database ping per second, however many callers. */
export const READY_CACHE_MS = 1000;

/**
 * `check` shared by its callers: while one runs, every caller waits for that one; once it has settled its result
 * (success or the error) is reused until READY_CACHE_MS after it started. The ALB, ECS, Prometheus and anyone on
 * the internet poll /health/ready: a burst of callers must not become a burst of database queries.
 */
export function sharedCheck(check: () => Promise<void>, maxAgeMs = READY_CACHE_MS, now = () => performance.now()) {
  let last: { at: number; settled: boolean; result: Promise<void> } | undefined;
  return (): Promise<void> => {
    if (last && (!last.settled || now() - last.at < maxAgeMs)) return last.result;
    const current = { at: now(), settled: false, result: check() };
    const settle = () => {
      current.settled = true;
    };
    current.result.then(settle, settle);
    last = current;
    return current.result;
  };
}

function pingWithin(db: RouteDependencies['db'], ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    ping(db),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('database ping timed out')), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

export async function healthRoutes(app: FastifyInstance, { db, lifecycle }: RouteDependencies): Promise<void> {
  const databaseReady = sharedCheck(() => pingWithin(db, READY_PING_TIMEOUT_MS));
  app.get(
    '/health/live',
    { schema: { tags: ['health'], summary: 'The process is alive', response: { 200: Status } } },
    async () => ({ status: 'ok' }),
  );
  app.get(
    '/health/ready',
    {
      schema: {
        tags: ['health'],
        summary: 'Ready for traffic: database reachable, not shutting down',
        response: { 200: Status, 503: Status },
      },
    },
    async (request, reply) => {
      if (lifecycle.shuttingDown) return reply.code(503).send({ status: 'shutting down' });
      try {
        await databaseReady();
        return { status: 'ready' };
      } catch (error) {
        request.log.warn({ error: (error as Error).message }, 'readiness check failed');
        return reply.code(503).send({ status: 'database unreachable' });
      }
    },
  );
}
