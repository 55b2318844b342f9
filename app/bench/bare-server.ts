// The baseline: a bare Fastify hello route, no plugins, no logging. Prints its port on stdout.
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';

const app = Fastify();
app.get('/api/hello', async (request) => {
  const name = (request.query as { name?: string }).name?.trim() || 'world';
  return { message: `Hello, ${name}!` };
});
await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT ?? 0) });
console.log((app.server.address() as AddressInfo).port);
process.on('SIGTERM', () => app.close().then(() => process.exit(0)));
