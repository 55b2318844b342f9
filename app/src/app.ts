// Builds the Fastify instance: plugins, routes, error handling. It does not listen and owns neither the
// database nor the metrics registry (server.ts and the tests create those), so tests drive it through
// app.inject and production through server.ts with the very same wiring.
import { fileURLToPath } from 'node:url';
import rateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyInstance, LogController } from 'fastify';
import type { Logger } from 'pino';
import type { Config } from './config.ts';
import type { Database } from './db/database.ts';
import type { Metrics } from './metrics.ts';
import { configureDocs } from './plugins/docs.ts';
import { configureErrors } from './plugins/errors.ts';
import { configureObservability, requestIdFor } from './plugins/observability.ts';
import { configureSecurity } from './plugins/security.ts';
import { configureValidation } from './plugins/validation.ts';
import { healthRoutes, type Lifecycle } from './routes/health.ts';
import { helloRoutes } from './routes/hello.ts';
import { messageRoutes } from './routes/messages.ts';

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

export interface AppDependencies {
  config: Config;
  db: Database;
  metrics: Metrics;
  logger: Logger;
  lifecycle?: Lifecycle;
}

export async function buildApp({ config, db, metrics, logger, lifecycle }: AppDependencies): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: logger,
    // observability.ts writes one line per request instead of Fastify's two
    logController: new LogController({ disableRequestLogging: true }),
    genReqId: requestIdFor,
    trustProxy: trustProxyOption(config.trustProxy),
    bodyLimit: config.bodyLimitBytes,
    // Above the ALB's 60 s idle timeout, so the ALB (not the task) always closes idle connections first.
    keepAliveTimeout: config.keepAliveTimeoutMs,
    // On close: idle keep-alive connections end at once, in-flight requests finish and their responses
    // carry `Connection: close`; a request racing the close is still served, not answered 503.
    forceCloseConnections: 'idle',
    return503OnClosing: false,
    routerOptions: { maxParamLength: 200 },
  }) as unknown as FastifyInstance;
  // Node requires the headers timeout to exceed the keep-alive timeout.
  app.server.headersTimeout = config.keepAliveTimeoutMs + 1000;

  configureValidation(app);
  configureErrors(app);
  configureObservability(app, metrics);
  configureSecurity(app);
  await app.register(rateLimit, { global: false });
  await configureDocs(app, config.version);
  await app.register(fastifyStatic, { root: publicDir, wildcard: false, index: 'index.html' });

  // Requests still in flight when the server closes finish, and their connections end with them
  // (Fastify only marks requests that arrive after the close began).
  const state = lifecycle ?? { shuttingDown: false };
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (state.closing) reply.header('connection', 'close');
    done(null, payload);
  });

  await app.register(helloRoutes);
  await app.register(messageRoutes(config, db));
  await app.register(healthRoutes(db, state));
  return app;
}
