// Request ids, the response headers every reply starts with, one log line per request and the HTTP duration
// histogram labelled by route template - in one onRequest and one onResponse hook (each hook Fastify runs is
// paid on every request).
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { BlockList, isIPv6 } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { TrustProxy } from '../config.ts';
import type { Metrics } from '../metrics.ts';
import { apiHeaders, isApiPath, pageHeaders } from './security.ts';

// An incoming id must be short and plain: it lands in every log line.
const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Whether the direct peer is a proxy of ours, by the same TRUST_PROXY setting that decides `request.ip`. */
export function trustedPeer(trustProxy: TrustProxy): (address: string | undefined) => boolean {
  if (trustProxy === true) return () => true;
  if (trustProxy === false) return () => false;
  // A hop count: only our proxies (the ALB) can reach the task (security groups), so any direct peer is one.
  if (typeof trustProxy === 'number') return () => trustProxy > 0;
  const list = new BlockList();
  for (const entry of trustProxy) {
    const [address = '', bits] = entry.split('/');
    const type = isIPv6(address) ? 'ipv6' : 'ipv4';
    if (bits === undefined) list.addAddress(address, type);
    else list.addSubnet(address, Number(bits), type);
  }
  return (address) => {
    if (!address) return false;
    const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
    return list.check(v4, isIPv6(v4) ? 'ipv6' : 'ipv4');
  };
}

/**
 * The request id: an incoming X-Request-Id is kept only when a trusted proxy sent the request (a proxy that
 * forwards client headers must overwrite it), so a client cannot give its request another request's id and
 * confuse the logs. Otherwise a new UUID.
 */
export function requestIdGenerator(trustProxy: TrustProxy): (req: IncomingMessage) => string {
  const trusted = trustedPeer(trustProxy);
  return (req) => {
    const incoming = req.headers['x-request-id'];
    return typeof incoming === 'string' && SAFE_REQUEST_ID.test(incoming) && trusted(req.socket?.remoteAddress)
      ? incoming
      : randomUUID();
  };
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
