// The baseline: a bare Fastify hello route, no plugins, no logging. Prints its port on stdout.
// Plain JavaScript, not TypeScript: the service runs compiled JS (dist/server.js), and running a .ts file
// makes Node load its type-stripping transformer (~16 MB more RSS, slower start), so the baseline would
// not be like for like.
import Fastify from 'fastify';

const app = Fastify();
app.get('/api/hello', async (request) => {
  const name = request.query.name?.trim() || 'world';
  return { message: `Hello, ${name}!` };
});
await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT ?? 0) });
console.log(app.server.address().port);
process.on('SIGTERM', () => app.close().then(() => process.exit(0)));
