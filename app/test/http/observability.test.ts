import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { buildTestApp, type TestApp } from '../helpers.ts';

let t: TestApp;
before(async () => {
  t = await buildTestApp();
});
after(() => t.close());

test('a client cannot choose its request id: an incoming X-Request-Id from an untrusted peer is replaced', async () => {
  const res = await t.app.inject({ url: '/api/hello', headers: { 'x-request-id': 'someone-elses-id' } });
  assert.match(res.headers['x-request-id'] as string, /^[0-9a-f-]{36}$/);
});

test('an X-Request-Id sent by a trusted proxy (TRUST_PROXY) is kept and returned; a bad one is replaced', async () => {
  for (const trustProxy of ['127.0.0.1', '127.0.0.0/8,10.0.0.0/8', '1', 'true']) {
    const proxied = await buildTestApp({ env: { TRUST_PROXY: trustProxy } });
    try {
      const kept = await proxied.app.inject({ url: '/api/hello', headers: { 'x-request-id': 'abc-123.x:y' } });
      assert.equal(kept.headers['x-request-id'], 'abc-123.x:y', trustProxy);
      const elsewhere = await proxied.app.inject({
        url: '/api/hello',
        headers: { 'x-request-id': 'abc-123.x:y' },
        remoteAddress: '192.0.2.1',
      });
      const fromOutside = trustProxy.includes('.') ? /^[0-9a-f-]{36}$/ : /^abc-123\.x:y$/;
      assert.match(elsewhere.headers['x-request-id'] as string, fromOutside, `${trustProxy}: peer 192.0.2.1`);
      const generated = await proxied.app.inject({ url: '/api/hello' });
      assert.match(generated.headers['x-request-id'] as string, /^[0-9a-f-]{36}$/);
      // An id that could break a log line or is absurdly long is replaced, not trusted.
      for (const bad of ['a b', 'x'.repeat(129), '<script>', 'line\\nbreak']) {
        const res = await proxied.app.inject({ url: '/api/hello', headers: { 'x-request-id': bad } });
        assert.match(res.headers['x-request-id'] as string, /^[0-9a-f-]{36}$/, bad);
      }
      const notFound = await proxied.app.inject({ url: '/nowhere', headers: { 'x-request-id': 'trace-404' } });
      assert.equal(notFound.headers['x-request-id'], 'trace-404');
      assert.equal(notFound.json().requestId, 'trace-404');
    } finally {
      await proxied.close();
    }
  }
});

test('one JSON log line per request with id, method, route template, status and duration', async () => {
  const before = t.logs.length;
  const res = await t.app.inject({
    method: 'DELETE',
    url: '/api/messages/12345',
    headers: { authorization: 'Bearer secret-value', cookie: 'session=s3cret' },
  });
  const lines = t.logs.slice(before);
  assert.equal(lines.length, 1);
  const line = lines[0] as Record<string, unknown>;
  assert.equal(line.msg, 'request completed');
  assert.equal(line.level, 'info');
  assert.equal(line.reqId, res.headers['x-request-id']);
  assert.equal(line.method, 'DELETE');
  assert.equal(line.route, '/api/messages/:id');
  assert.equal(line.statusCode, 403);
  assert.equal(typeof line.durationMs, 'number');
  assert.doesNotMatch(JSON.stringify(lines), /secret-value|s3cret/);
});

test('server errors are logged with the request, authorization and cookies redacted', async () => {
  const broken = await buildTestApp();
  try {
    await broken.db.close(); // every query now fails
    const res = await broken.app.inject({
      url: '/api/messages',
      headers: { authorization: 'Bearer top-secret-token', cookie: 'sid=cookie-secret' },
    });
    assert.equal(res.statusCode, 500);
    const body = res.json();
    assert.deepEqual(Object.keys(body).sort(), ['error', 'message', 'requestId', 'statusCode']);
    assert.doesNotMatch(res.body, /SELECT|messages_list|at .*:\d+:\d+|stack/i);
    const errorLine = broken.logs.find((l) => l.msg === 'request failed') as {
      request: { headers: Record<string, string> };
    };
    assert.ok(errorLine, 'the failure is logged');
    assert.equal(errorLine.request.headers.authorization, '[Redacted]');
    assert.equal(errorLine.request.headers.cookie, '[Redacted]');
    assert.doesNotMatch(JSON.stringify(broken.logs), /top-secret-token|cookie-secret/);
  } finally {
    await broken.app.close();
  }
});

test('the HTTP histogram is labelled by route template, never the raw URL', async () => {
  await t.app.inject({ method: 'DELETE', url: '/api/messages/777' });
  await t.app.inject({ url: '/no/such/page-98765' });
  const text = await t.metrics.registry.metrics();
  assert.match(
    text,
    /http_request_duration_seconds_count\{method="DELETE",route="\/api\/messages\/:id",status_code="401"\} \d+/,
  );
  assert.match(text, /http_request_duration_seconds_count\{method="GET",route="unmatched",status_code="404"\} \d+/);
  assert.doesNotMatch(text, /route="[^"]*(777|98765)/);
});

test('database queries are timed and failures counted, by operation', async () => {
  await t.app.inject({ url: '/api/messages' });
  const text = await t.metrics.registry.metrics();
  assert.match(text, /db_query_duration_seconds_count\{operation="messages_list"\} [1-9]/);
  assert.match(text, /db_pool_connections\{state="total"\} 1/);
  await assert.rejects(t.db.query('SELECT * FROM no_such_table', [], 'broken_query'));
  assert.match(await t.metrics.registry.metrics(), /db_query_errors_total\{operation="broken_query"\} 1/);
});
