// Requests Fastify answers before its hooks run, and clients that send a request slowly.
import assert from 'node:assert/strict';
import { Agent, request } from 'node:http';
import { connect } from 'node:net';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { buildTestApp } from '../helpers.ts';

test("Fastify's own 400 (bad URL encoding) and 414 (path parameter too long) carry the headers and a request id", async () => {
  const t = await buildTestApp();
  try {
    for (const [url, status] of [
      ['/api/messages/%E0%A4%A', 400],
      [`/api/messages/${'9'.repeat(300)}`, 414],
    ] as const) {
      const before = t.logs.length;
      const res = await t.app.inject({ method: 'DELETE', url });
      assert.equal(res.statusCode, status, url);
      assert.equal(res.headers['x-content-type-options'], 'nosniff', url);
      assert.match(res.headers['content-security-policy'] as string, /default-src 'none'/, url);
      const id = res.headers['x-request-id'] as string;
      assert.match(id, /^[0-9a-f-]{36}$/, url);
      assert.deepEqual(Object.keys(res.json()).sort(), ['error', 'message', 'requestId', 'statusCode']);
      assert.equal(res.json().requestId, id);
      const line = t.logs.slice(before).find((l) => l.msg === 'request completed');
      assert.equal(line?.reqId, id, 'the request has its log line');
      assert.equal(line?.statusCode, status);
    }
  } finally {
    await t.close();
  }
});

test('a request trickling in a byte at a time is cut off at REQUEST_TIMEOUT_SECONDS', async () => {
  const t = await buildTestApp({ env: { REQUEST_TIMEOUT_SECONDS: '1' } });
  try {
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = t.app.server.address() as { port: number };
    const socket = connect(port, '127.0.0.1');
    let closed = false;
    let response = '';
    socket.on('data', (d) => (response += d));
    socket.on('error', () => {});
    const gone = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    gone.then(() => (closed = true));
    const body = JSON.stringify({ name: 'slow', text: 'x'.repeat(60) });
    socket.write(
      `POST /api/messages HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`,
    );
    // 80 bytes, one every 250 ms: 20 s in all, far past the 1 s limit. The server must not wait for the end.
    let sent = 0;
    while (!closed && sent < body.length) {
      socket.write(body[sent] as string);
      sent++;
      await sleep(250);
    }
    await gone;
    assert.ok(sent < body.length, `the server waited for the whole trickled body (${sent} bytes)`);
    assert.doesNotMatch(response, /201 Created/);
  } finally {
    await t.close();
  }
});

test('an idle keep-alive connection outlives the request timeout (the ALB reuses it for the next request)', async () => {
  const t = await buildTestApp({ env: { REQUEST_TIMEOUT_SECONDS: '1' } });
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  try {
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = t.app.server.address() as { port: number };
    const get = () =>
      new Promise<{ status: number; reused: boolean }>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port, path: '/api/hello', agent }, (res) => {
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode ?? 0, reused: req.reusedSocket }));
        });
        req.on('error', reject);
        req.end();
      });
    assert.equal((await get()).status, 200);
    await sleep(2500); // idle for longer than the request timeout (1 s), well under the keep-alive timeout
    const second = await get();
    assert.equal(second.status, 200);
    assert.equal(second.reused, true, 'the idle connection was kept open');
  } finally {
    agent.destroy();
    await t.close();
  }
});
