// Error responses: a JSON body {statusCode, error, message, requestId}. Client errors (4xx) explain
// themselves; server errors are logged in full and answered with a generic message, never a stack
// trace or SQL.
import { STATUS_CODES } from 'node:http';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

export function sendError(reply: FastifyReply, statusCode: number, message: string) {
  return reply
    .code(statusCode)
    .type('application/json; charset=utf-8')
    .send({ statusCode, error: STATUS_CODES[statusCode] ?? 'Error', message, requestId: reply.request.id });
}

export function configureErrors(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
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

  app.setNotFoundHandler((request, reply) =>
    sendError(reply, 404, `Route ${request.method} ${request.url.split('?')[0]} not found`),
  );
}
