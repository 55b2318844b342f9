// A bare Express 5 hello world (the original app's framework), no middleware, no logging: the service, with
// everything on, should outrun it. Plain JavaScript like the other baselines. Listens on PORT.
import express from 'express';

const app = express();
app.get('/api/hello', (request, response) => {
  const name = (typeof request.query.name === 'string' && request.query.name.trim()) || 'world';
  response.json({ message: `Hello, ${name}!` });
});
const server = app.listen(Number(process.env.PORT ?? 0), '127.0.0.1');
process.on('SIGTERM', () => server.close(() => process.exit(0)));
