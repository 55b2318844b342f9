// Request ids, the response headers every reply starts with, one log line per request and the HTTP duration
// histogram labelled by route template - in one onRequest and one onResponse hook (each hook Fastify runs is
// paid on every request).
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Metrics } from '../metrics.ts';
import { apiHeaders, isApiPath, pageHeaders } from './security.ts';

/**
 * The request id is always the service's own UUID, never an incoming X-Request-Id. No hop in front of the service sets
 * that header: CloudFront forwards every viewer header to the origin (ALL_VIEWER_EXCEPT_HOST_HEADER, infra edge.ts)
 * and adds only CloudFront-* / Via / X-Amz-Cf-Id headers, and the ALB adds X-Forwarded-* and X-Amzn-Trace-Id. So an
 * X-Request-Id that reaches the task is always the client's, whatever TRUST_PROXY says about the peer, and taking it
 * would let a client give its request another request's id in the logs.
 * https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/using-managed-origin-request-policies.html
 * https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/adding-cloudfront-headers.html
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/x-forwarded-headers.html
 */
export function requestIdGenerator(): () => string {
  return () => randomUUID();
}

export function configureObservability(app: FastifyInstance, metrics: Metrics): void {
  const page = Object.freeze(pageHeaders());
  app.addHook('onRequest', (request, reply, done) => {
    reply.headers(isApiPath(request.url) ? apiHeaders : page);
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
