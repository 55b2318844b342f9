// Builds the Fastify instance: plugins, routes, error handling. It does not listen and owns neither the
// database nor the metrics registry (server.ts and the tests create those), so tests drive it through
// app.inject and production through server.ts with the very same wiring.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import rateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyInstance, LogController } from 'fastify';
import type { Logger } from 'pino';
import type { Config } from './config.ts';
import type { Database } from './db/types.ts';
import { configureDocs } from './http/docs.ts';
import { configureErrors, sendError } from './http/errors.ts';
import { configureObservability, requestIdGenerator } from './http/observability.ts';
import { apiHeaders } from './http/security.ts';
import { configureValidation } from './http/validation.ts';
import type { Lifecycle } from './lifecycle.ts';
import type { Metrics } from './metrics.ts';
import { http } from './node-http.ts';
import { registerRoutes } from './routes/index.ts';

/** The guestbook page: read from the package root, next to dist/ in the image. */
export const publicDir = fileURLToPath(new URL('../public/', import.meta.url));

/**
 * TRUST_PROXY as a hop count means "the last N addresses in X-Forwarded-For are our proxies" (e.g. 2 for
 * CloudFront -> ALB). Fastify refuses bare numbers (a client talking to the task directly could forge
 * hops); here only the ALB can reach the task (security groups), so the count is expressed as a function.
 */
function trustProxyOption(value: Config['trustProxy']) {
  return typeof value === 'number' ? (_address: string, hop: number) => hop < value : value;
}

/**
 * Node's ServerResponse, except that once the server is closing its responses end their connection
 * (`Connection: close`): requests still in flight when the drain ends finish, and their keep-alive connections do
 * not outlive the server (Fastify only marks requests that arrive after the close began; Node would keep such
 * connections alive). Node reads `shouldKeepAlive` when it writes the headers; a class given to createServer costs
 * nothing per request, where an onSend hook ran for every response.
 * https://nodejs.org/api/http.html#httpcreateserveroptions-requestlistener (the ServerResponse option)
 */
function closingAwareResponse(lifecycle: Lifecycle): typeof ServerResponse {
  class ClosingAwareResponse<Request extends IncomingMessage = IncomingMessage> extends http.ServerResponse<Request> {}
  const keepAlive = Symbol('keepAlive');
  // A data property in Node (and its typings); an accessor here, which Node reads and writes the same way.
  Object.defineProperty(ClosingAwareResponse.prototype, 'shouldKeepAlive', {
    get(this: Record<symbol, boolean>) {
      return this[keepAlive] !== false && !lifecycle.closing;
    },
    set(this: Record<symbol, boolean>, value: boolean) {
      this[keepAlive] = value;
    },
  });
  return ClosingAwareResponse;
}

export interface AppDependencies {
  config: Config;
  db: Database;
  metrics: Metrics;
  logger: Logger;
  lifecycle: Lifecycle;
}

export async function buildApp({ config, db, metrics, logger, lifecycle }: AppDependencies): Promise<FastifyInstance> {
  const app: FastifyInstance = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    // observability.ts writes one line per request instead of Fastify's two
    logController: new LogController({ disableRequestLogging: true }),
    genReqId: requestIdGenerator(),
    trustProxy: trustProxyOption(config.trustProxy),
    bodyLimit: config.bodyLimitBytes,
    // Above the ALB's 60 s idle timeout, so the ALB (not the task) always closes idle connections first.
    keepAliveTimeout: config.keepAliveTimeoutMs,
    // Fastify's defaults (0) turn off Node's limits: a client sending a request a byte at a time could hold a
    // connection for ever. A request must arrive whole within requestTimeout, and a connection may not sit silent
    // that long while a request is open (both below the ALB's 60 s idle timeout). Node checks the open requests
    // against the limit every connectionsCheckingInterval (30 s by default; 1 s here so the limit means what it
    // says). https://nodejs.org/api/http.html#httpcreateserveroptions-requestlistener
    requestTimeout: config.requestTimeoutMs,
    connectionTimeout: config.requestTimeoutMs,
    http: {
      connectionsCheckingInterval: Math.min(1000, config.requestTimeoutMs),
      ServerResponse: closingAwareResponse(lifecycle),
    },
    // On close: idle keep-alive connections end at once, in-flight requests finish and their responses
    // carry `Connection: close`; a request racing the close is still served, not answered 503.
    forceCloseConnections: 'idle',
    return503OnClosing: false,
    routerOptions: { maxParamLength: 200 },
    // Fastify answers a malformed URL (400) or an over-long path parameter (414) before any hook runs: here they
    // get the same headers, request id, error body and log line as every other response.
    frameworkErrors: (error: FastifyError, request, reply) => {
      const statusCode = error.statusCode ?? 400;
      reply.headers(apiHeaders).header('x-request-id', request.id);
      request.log.info({ method: request.method, url: request.url, statusCode }, 'request completed');
      sendError(reply, statusCode, error.message);
    },
  });
  // A request's headers must arrive within the same limit (Node's default would be 60 s).
  app.server.headersTimeout = config.requestTimeoutMs;

  const perWindow = { timeWindow: config.rateLimit.windowMs, ipv6Subnet: config.rateLimit.ipv6PrefixLength };
  configureValidation(app);
  configureObservability(app, metrics);
  // Not global: each route opts in with its own limit (config.rateLimit), keyed per client address, an IPv6
  // client per prefix (RATE_LIMIT_IPV6_PREFIX): one allocation must not get thousands of buckets.
  await app.register(rateLimit, { global: false, ...perWindow });
  configureErrors(app, { max: config.rateLimit.readMax, ...perWindow });
  await configureDocs(app, config.version);
  await app.register(fastifyStatic, { root: publicDir, wildcard: false, index: 'index.html' });
  await registerRoutes(app, { config, db, lifecycle });
  return app;
}
