// The rolling-deploy contract: under steady keep-alive load, SIGTERM loses no request, readiness is 503
// during the drain, the drain lasts SHUTDOWN_DRAIN_SECONDS and the process exits 0 well within ECS's 30 s stop
// timeout. Durations are read from the process's own log timestamps (not the test's clock, which a loaded machine
// stretches with spawn and scheduling delays), and waits are for conditions (a log line), not fixed sleeps.
import assert from 'node:assert/strict';
import { Agent, request } from 'node:http';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { type ServerProcess, startServer } from './support/server-process.ts';

/** The time of the process's first log line with this message, in ms (its own clock). */
function loggedAt(server: ServerProcess, msg: string): number {
  const line = server.logs.find((l) => l.msg === msg);
  assert.ok(line, `"${msg}" logged`);
  return Date.parse(line.time as string);
}

async function untilLogged(server: ServerProcess, msg: string): Promise<void> {
  while (!server.logs.some((l) => l.msg === msg)) {
    if (server.child.exitCode !== null) throw new Error(`exited before logging "${msg}"`);
    await sleep(20);
  }
}

// ECS sends SIGKILL 30 s after SIGTERM (stopTimeout): the service must be gone well before.
const ECS_STOP_TIMEOUT_SECONDS = 30;

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
  const drainSeconds = 3;
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
    while (results.ok < 50) await sleep(20);
    assert.equal(await get(server.port, '/health/ready', new Agent()), 200);

    server.child.kill('SIGTERM');
    await untilLogged(server, 'shutting down: not ready, draining');
    const okBeforeDrain = results.ok;
    const readiness: number[] = [];
    // The load balancer keeps sending until it has seen the target unhealthy and deregistered it.
    for (let i = 0; i < 3; i++) {
      readiness.push(await get(server.port, '/health/ready', new Agent()));
      await sleep(50);
    }
    const servedDuringDrain = results.ok > okBeforeDrain;
    sending = false;
    await Promise.all(loops);

    const { code } = await server.exited;
    agent.destroy();

    assert.deepEqual(results.failed, [], 'no request failed');
    assert.ok(servedDuringDrain, 'requests kept being served during the drain');
    assert.ok(readiness.length > 0 && readiness.every((s) => s === 503), `readiness during drain: ${readiness}`);
    assert.equal(code, 0, server.stderr());
    const draining = loggedAt(server, 'shutting down: not ready, draining');
    const drainedMs = loggedAt(server, 'closing') - draining;
    assert.ok(drainedMs >= drainSeconds * 1000 - 5, `the drain lasted ${drainedMs} ms, less than ${drainSeconds} s`);
    const stoppedSeconds = (loggedAt(server, 'stopped') - draining) / 1000;
    assert.ok(stoppedSeconds < ECS_STOP_TIMEOUT_SECONDS / 2, `stopped ${stoppedSeconds} s after SIGTERM`);
    const messages = server.logs.map((l) => l.msg);
    assert.ok(messages.includes('shutting down: not ready, draining'));
    assert.equal(messages.at(-1), 'stopped');
  } finally {
    await server.stop();
  }
});

test('a second signal exits at once, without waiting for the drain, and is not logged as an error', async () => {
  const server = await startServer({ SHUTDOWN_DRAIN_SECONDS: '20' });
  try {
    server.child.kill('SIGTERM');
    await untilLogged(server, 'shutting down: not ready, draining');
    server.child.kill('SIGINT');
    const { code } = await server.exited;
    assert.equal(code, 1, 'close-with-grace exits 1: the drain did not finish');
    const messages = server.logs.map((l) => l.msg);
    assert.ok(!messages.includes('closing'), 'it did not wait for the 20 s drain to end');
    assert.ok(messages.includes('second signal: exiting without finishing the drain'), messages.join(', '));
    const errors = server.logs.filter((l) => l.level === 'error' || l.level === 'fatal');
    assert.deepEqual(errors, [], 'nothing logged as an error');
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
        // The rest of the body arrives after the drain, once the server has logged that it is closing.
        untilLogged(server, 'closing').then(() => req.end(body.slice(10)), reject);
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
