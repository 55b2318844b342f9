// Container health command (`node dist/healthcheck.js`): exit 0 when GET /health/live answers 200.
// Liveness, not readiness: a draining task is healthy, and must not be killed before it has drained.
const port = Number(process.env.PORT ?? 3000);
try {
  const response = await fetch(`http://127.0.0.1:${port}/health/live`, { signal: AbortSignal.timeout(3000) });
  process.exit(response.status === 200 ? 0 : 1);
} catch {
  process.exit(1);
}
