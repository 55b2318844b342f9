// hello-express: the smallest service the Nodeapp platform deploys besides the guestbook (service.json beside this
// file is its contract). What the platform asks of any service, and where this file does it:
// - listen on PORT (the platform sets it from the contract's port);
// - answer the readiness path (/healthz) with 200 while it can serve, 503 once it is stopping;
// - on SIGTERM: fail readiness at once, keep serving for SHUTDOWN_DRAIN_SECONDS (the load balancer stops sending new
//   requests meanwhile), then close and exit 0 before the contract's stopTimeoutSeconds (ECS then sends SIGKILL).
import express from 'express';

const port = Number(process.env.PORT ?? 8080);
const host = process.env.HOST ?? '0.0.0.0';
const drainSeconds = Number(process.env.SHUTDOWN_DRAIN_SECONDS ?? 0);
const log = (msg, fields = {}) => console.log(JSON.stringify({ time: Date.now(), msg, ...fields }));

let stopping = false;
const app = express();
app.disable('x-powered-by');
app.get('/healthz', (_req, res) => {
  res.status(stopping ? 503 : 200).json({ status: stopping ? 'stopping' : 'ok' });
});
app.get('/', (_req, res) => {
  res.type('text/plain').send('hello from express\n');
});

const server = app.listen(port, host, () => log('ready', { port }));
// Keep-alive connections idle longer than the load balancer's (60 s) would be closed under it: stay above.
server.keepAliveTimeout = 65_000;

process.once('SIGTERM', () => {
  stopping = true;
  log('shutting down', { drainSeconds });
  setTimeout(() => {
    server.close(() => {
      log('stopped');
      process.exit(0);
    });
    server.closeIdleConnections();
  }, drainSeconds * 1000);
});
process.once('SIGINT', () => process.kill(process.pid, 'SIGTERM'));
