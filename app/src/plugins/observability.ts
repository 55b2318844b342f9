// Per-request observability: the request id (an incoming X-Request-Id, else a new UUID) returned in the
// response, one log line per request, and the HTTP duration histogram labelled by route template.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { Metrics } from '../metrics.ts';

// An incoming id is trusted only if it is short and plain: it lands in every log line.
const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function requestIdFor(req: IncomingMessage): string {
  const incoming = req.headers['x-request-id'];
  return typeof incoming === 'string' && SAFE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
}

export function configureObservability(app: FastifyInstance, metrics: Metrics): void {
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    done();
  });
  app.addHook('onResponse', (request, reply, done) => {
    // The template (/api/messages/:id), never the raw URL: bounded label cardinality.
    const route = request.routeOptions.url ?? 'unmatched';
    const ms = reply.elapsedTime;
    metrics.httpRequestDuration.observe(
      { method: request.method, route, status_code: String(reply.statusCode) },
      ms / 1000,
    );
    request.log.info(
      {
        method: request.method,
        route,
        url: request.url,
        statusCode: reply.statusCode,
        durationMs: Math.round(ms * 100) / 100,
      },
      'request completed',
    );
    done();
  });
}
