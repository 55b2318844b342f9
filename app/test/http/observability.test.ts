import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { buildTestApp, type TestApp } from '../helpers.ts';

let t: TestApp;
before(async () => {
  t = await buildTestApp();
});
after(() => t.close());

test('a client cannot choose its request id, whatever TRUST_PROXY says (CloudFront forwards its X-Request-Id)', async () => {
  // 2: CloudFront -> ALB, as in AWS; then the other forms TRUST_PROXY takes (all, a list of proxies).
  for (const trustProxy of ['2', 'true', '127.0.0.0/8,10.0.0.0/8']) {
    const proxied = await buildTestApp({ env: { TRUST_PROXY: trustProxy } });
    try {
      for (const remoteAddress of ['127.0.0.1', '10.0.1.5', '192.0.2.1']) {
        const res = await proxied.app.inject({
          url: '/api/hello',
          headers: { 'x-request-id': 'someone-elses-id', 'x-forwarded-for': '203.0.113.7, 130.176.0.1' },
          remoteAddress,
        });
        const id = res.headers['x-request-id'] as string;
        assert.match(
          id,
          /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/,
          `${trustProxy} ${remoteAddress}`,
        );
      }
      const notFound = await proxied.app.inject({ url: '/nowhere', headers: { 'x-request-id': 'trace-404' } });
      assert.notEqual(notFound.headers['x-request-id'], 'trace-404');
      assert.equal(notFound.json().requestId, notFound.headers['x-request-id']);
    } finally {
      await proxied.close();
    }
  }
});

test('every request gets a fresh id', async () => {
  const ids = new Set<string>();
  for (let i = 0; i < 20; i++) ids.add((await t.app.inject({ url: '/api/hello' })).headers['x-request-id'] as string);
  assert.equal(ids.size, 20);
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
