import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { buildTestApp, type TestApp } from '../helpers.ts';

let t: TestApp;
before(async () => {
  t = await buildTestApp();
});
after(() => t.close());

test('the page is served with a strict CSP and the security headers', async () => {
  const res = await t.app.inject({ url: '/' });
  assert.equal(res.statusCode, 200);
  assert.match(res.headers['content-type'] as string, /^text\/html/);
  const csp = res.headers['content-security-policy'] as string;
  assert.match(csp, /default-src 'self'/);
  assert.match(csp, /script-src 'self'(;|$)/);
  assert.match(csp, /style-src 'self'(;|$)/);
  assert.match(csp, /frame-ancestors 'none'/);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
  assert.equal(res.headers['x-content-type-options'], 'nosniff');
  // The page itself has no inline script or style for that CSP to block.
  assert.doesNotMatch(res.body, /<script>|<script(?![^>]*\bsrc=)[^>]*>|<style|\sstyle=|\son[a-z]+=/i);
});

test('the page assets are served; unknown paths are 404 JSON', async () => {
  for (const file of ['/app.js', '/app.css']) assert.equal((await t.app.inject({ url: file })).statusCode, 200, file);
  const res = await t.app.inject({ url: '/../package.json' });
  assert.equal(res.statusCode, 404);
  const missing = await t.app.inject({ method: 'POST', url: '/api/nothing' });
  assert.equal(missing.statusCode, 404);
  assert.match(missing.headers['content-type'] as string, /^application\/json/);
  assert.equal(missing.json().error, 'Not Found');
});

test('metrics are not exposed on the public port', async () => {
  assert.equal((await t.app.inject({ url: '/metrics' })).statusCode, 404);
});

test('OpenAPI 3 document generated from the route schemas, browsable at /docs', async () => {
  const spec = (await t.app.inject({ url: '/docs/json' })).json();
  assert.match(spec.openapi, /^3\./);
  assert.deepEqual(Object.keys(spec.paths).sort(), [
    '/api/hello',
    '/api/messages',
    '/api/messages/{id}',
    '/health/live',
    '/health/ready',
  ]);
  const post = spec.paths['/api/messages'].post;
  assert.equal(post.requestBody.content['application/json'].schema.properties.name.maxLength, 80);
  const ui = await t.app.inject({ url: '/docs/' });
  assert.equal(ui.statusCode, 200);
  assert.match(ui.body, /swagger-ui/);
  assert.doesNotMatch(ui.headers['content-security-policy'] as string, /script-src[^;]*unsafe/);
});

test('JSON API responses, errors included, carry the API set: nosniff, CSP none, CORP, no-store', async () => {
  for (const res of [
    await t.app.inject({ url: '/api/hello' }),
    await t.app.inject({ url: '/health/live' }),
    await t.app.inject({ url: '/api/nothing' }),
    await t.app.inject({ url: '/api/hello?name=x&unknown=1' }),
  ]) {
    assert.deepEqual(
      {
        nosniff: res.headers['x-content-type-options'],
        csp: res.headers['content-security-policy'],
        corp: res.headers['cross-origin-resource-policy'],
        cache: res.headers['cache-control'],
      },
      {
        nosniff: 'nosniff',
        csp: "default-src 'none'; frame-ancestors 'none'",
        corp: 'same-origin',
        cache: 'no-store',
      },
      res.raw.req.url,
    );
    // The page's document-only headers are not sent with JSON (see src/http/security.ts for the review).
    assert.equal(res.headers['x-frame-options'], undefined);
    assert.equal(res.headers['x-dns-prefetch-control'], undefined);
  }
});

test('the page keeps the full set (helmet), and so does a 404 outside the API', async () => {
  for (const url of ['/', '/app.js', '/docs/']) {
    const res = await t.app.inject({ url });
    assert.equal(res.statusCode, 200, url);
    assert.match(res.headers['content-security-policy'] as string, /default-src 'self'/, url);
    assert.equal(res.headers['x-frame-options'], 'SAMEORIGIN', url);
    assert.equal(res.headers['cross-origin-opener-policy'], 'same-origin', url);
    assert.equal(res.headers['referrer-policy'], 'no-referrer', url);
  }
  const missing = await t.app.inject({ url: '/no-such-page' });
  assert.equal(missing.statusCode, 404);
  assert.equal(missing.headers['x-frame-options'], 'SAMEORIGIN');
});
