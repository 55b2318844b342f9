// Error responses: a JSON body {statusCode, error, message, requestId}. Client errors (4xx) explain
// themselves; server errors are logged in full and answered with a generic message, never a stack
// trace or SQL. A database that cannot be reached is a 503 with Retry-After: the client may retry, and the
// service recovers by itself when the database returns (readiness is 503 meanwhile).
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isDatabaseUnavailable } from '../db/types.ts';
import { http } from '../node-http.ts';

/** Seconds a client is asked to wait while the database is unreachable (about one connect timeout). */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

export function sendError(reply: FastifyReply, statusCode: number, message: string) {
  return reply
    .code(statusCode)
    .type('application/json; charset=utf-8')
    .send({ statusCode, error: http.STATUS_CODES[statusCode] ?? 'Error', message, requestId: reply.request.id });
}

export function configureErrors(app: FastifyInstance, notFoundLimit: { max: number; timeWindow: number }): void {
  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    if (isDatabaseUnavailable(error)) {
      request.log.warn({ error: error.message }, 'database unavailable');
      reply.header('retry-after', String(DATABASE_RETRY_AFTER_SECONDS));
      return sendError(reply, 503, 'The database is unavailable; retry after the Retry-After delay');
    }
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 600 ? error.statusCode : 500;
    if (status >= 500) {
      request.log.error(
        // `request`, not `req`: Fastify's own req serializer would drop the headers.
        { err: error, request: { method: request.method, url: request.url, headers: request.headers } },
        'request failed',
      );
      return sendError(reply, status, 'Internal error; the request id identifies it in the service logs');
    }
    if (error.validation) return sendError(reply, 400, error.message);
    // Fastify's own client errors (bad JSON, 413, 415, rate limit) carry safe, useful messages.
    return sendError(reply, status, error.message);
  });

  // Unknown URLs are rate-limited per client like reads: enumerating URLs must not be free.
  app.setNotFoundHandler({ preHandler: app.rateLimit(notFoundLimit) }, (request, reply) =>
    sendError(reply, 404, `Route ${request.method} ${request.url.split('?')[0]} not found`),
  );
}
