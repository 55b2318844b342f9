import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { buildTestApp, type TestApp } from '../helpers.ts';

let t: TestApp;
before(async () => {
  t = await buildTestApp();
});
after(() => t.close());

test('GET /api/hello greets by name', async () => {
  const res = await t.app.inject({ method: 'GET', url: '/api/hello?name=Ana' });
  assert.equal(res.statusCode, 200);
  assert.match(res.headers['content-type'] as string, /^application\/json/);
  assert.deepEqual(res.json(), { message: 'Hello, Ana!' });
});

test('GET /api/hello without a name (or a blank one) greets the world', async () => {
  for (const url of ['/api/hello', '/api/hello?name=', '/api/hello?name=%20%20']) {
    const res = await t.app.inject({ method: 'GET', url });
    assert.deepEqual(res.json(), { message: 'Hello, world!' }, url);
  }
});

test('GET /api/hello keeps unicode and HTML characters as data', async () => {
  const res = await t.app.inject({ method: 'GET', url: `/api/hello?name=${encodeURIComponent('Zoë <b>')}` });
  assert.deepEqual(res.json(), { message: 'Hello, Zoë <b>!' });
});

test('GET /api/hello with a name over 100 characters is a 400 naming the parameter', async () => {
  const res = await t.app.inject({ method: 'GET', url: `/api/hello?name=${'a'.repeat(101)}` });
  assert.equal(res.statusCode, 400);
  assert.match(res.json().message, /querystring\/name/);
});

test('GET /api/hello with an unknown parameter is a 400 naming it', async () => {
  const res = await t.app.inject({ method: 'GET', url: '/api/hello?nam=Ana' });
  assert.equal(res.statusCode, 400);
  assert.equal(res.json().message, 'querystring/nam is not allowed');
});
