// Health checks. live: the process answers. ready: the database answers and no shutdown has begun;
// the load balancer stops routing to a task as soon as ready turns 503 (see server.ts, drain).
import type { FastifyInstance } from 'fastify';
import { ping } from '../db/messages.ts';
import { Status } from './schemas.ts';
import type { RouteDependencies } from './types.ts';

const READY_PING_TIMEOUT_MS = 2000;

export async function healthRoutes(app: FastifyInstance, { db, lifecycle }: RouteDependencies): Promise<void> {
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
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          ping(db),
          new Promise((_, reject) => {
            timer = setTimeout(() => reject(new Error('database ping timed out')), READY_PING_TIMEOUT_MS);
          }),
        ]);
        return { status: 'ready' };
      } catch (error) {
        request.log.warn({ error: (error as Error).message }, 'readiness check failed');
        return reply.code(503).send({ status: 'database unreachable' });
      } finally {
        clearTimeout(timer);
      }
    },
  );
}
