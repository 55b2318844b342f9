// The rolling-deploy contract: under steady keep-alive load, SIGTERM loses no request, readiness is 503
// during the drain, and the process exits 0 within drain + 2 s (ECS waits 30 s before SIGKILL).
import assert from 'node:assert/strict';
import { Agent, request } from 'node:http';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { startServer } from './support/server-process.ts';

function get(port: number, path: string, agent: Agent): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

test('SIGTERM under keep-alive load: zero failed requests, ready 503 while draining, exit 0', async () => {
  const drainSeconds = 2;
  const server = await startServer({ SHUTDOWN_DRAIN_SECONDS: String(drainSeconds) });
  try {
    const agent = new Agent({ keepAlive: true, maxSockets: 4 });
    const results = { ok: 0, failed: [] as string[] };
    let sending = true;
    // Four steady clients on kept-alive connections, like the load balancer's.
    const loops = Array.from({ length: 4 }, async () => {
      while (sending) {
        try {
          const status = await get(server.port, '/api/hello?name=load', agent);
          if (status === 200) results.ok++;
          else results.failed.push(`HTTP ${status}`);
        } catch (error) {
          results.failed.push((error as Error).message);
        }
      }
    });
    await sleep(500);
    assert.equal(await get(server.port, '/health/ready', new Agent()), 200);

    const okBeforeSignal = results.ok;
    const signalledAt = performance.now();
    server.child.kill('SIGTERM');
    await sleep(200);
    const readiness: number[] = [];
    // The load balancer keeps sending until it has seen the target unhealthy and deregistered it.
    while (performance.now() - signalledAt < (drainSeconds - 0.5) * 1000) {
      readiness.push(await get(server.port, '/health/ready', new Agent()));
      await sleep(100);
    }
    sending = false;
    await Promise.all(loops);
    const okDuringDrain = results.ok - okBeforeSignal;

    const { code } = await server.exited;
    const exitSeconds = (performance.now() - signalledAt) / 1000;
    agent.destroy();

    assert.deepEqual(results.failed, [], 'no request failed');
    assert.ok(okDuringDrain > 0, 'requests kept being served during the drain');
    assert.ok(readiness.length > 0 && readiness.every((s) => s === 503), `readiness during drain: ${readiness}`);
    assert.equal(code, 0, server.stderr());
    assert.ok(exitSeconds <= drainSeconds + 2, `exited after ${exitSeconds.toFixed(2)} s`);
    const messages = server.logs.map((l) => l.msg);
    assert.ok(messages.includes('shutting down: not ready, draining'));
    assert.equal(messages.at(-1), 'stopped');
  } finally {
    await server.stop();
  }
});

test('a second signal exits at once, without waiting for the drain', async () => {
  const server = await startServer({ SHUTDOWN_DRAIN_SECONDS: '15' });
  try {
    const signalledAt = performance.now();
    server.child.kill('SIGTERM');
    await sleep(300);
    server.child.kill('SIGINT');
    const { code } = await server.exited;
    const seconds = (performance.now() - signalledAt) / 1000;
    assert.notEqual(code, null);
    assert.ok(seconds < 10, `took ${seconds.toFixed(2)} s, the drain alone is 15 s`);
  } finally {
    await server.stop();
  }
});

test('a request still in flight when the server closes finishes, with Connection: close', async () => {
  const drainSeconds = 1;
  const server = await startServer({ SHUTDOWN_DRAIN_SECONDS: String(drainSeconds) });
  try {
    const body = JSON.stringify({ name: 'slow', text: 'a body that arrives in two parts' });
    const agent = new Agent({ keepAlive: true });
    const response = new Promise<{ status: number; connection: string | undefined; body: string }>(
      (resolve, reject) => {
        const req = request(
          {
            host: '127.0.0.1',
            port: server.port,
            path: '/api/messages',
            method: 'POST',
            agent,
            headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
          },
          (res) => {
            let text = '';
            res.on('data', (d) => (text += d));
            res.on('end', () =>
              resolve({ status: res.statusCode ?? 0, connection: res.headers.connection, body: text }),
            );
          },
        );
        req.on('error', reject);
        req.write(body.slice(0, 10));
        server.child.kill('SIGTERM');
        // The rest of the body arrives after the drain, while the server is closing.
        setTimeout(() => req.end(body.slice(10)), (drainSeconds + 0.7) * 1000);
      },
    );
    const result = await response;
    agent.destroy();
    assert.equal(result.status, 201, result.body);
    assert.equal(result.connection, 'close');
    assert.equal((await server.exited).code, 0, server.stderr());
    const closing = server.logs.findIndex((l) => l.msg === 'closing');
    const completed = server.logs.findIndex((l) => l.msg === 'request completed' && l.statusCode === 201);
    assert.ok(closing >= 0 && completed > closing, 'the request completed after the server began closing');
  } finally {
    await server.stop();
  }
});
