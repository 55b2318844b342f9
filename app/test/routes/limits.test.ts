// Per-client limits: failed admin attempts, reads, unknown URLs, and IPv6 clients keyed per prefix.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ADMIN_FAILURES_PER_WINDOW } from '../../src/http/admin-auth.ts';
import { ADMIN_TOKEN, buildTestApp } from '../helpers.ts';

test('failed admin attempts are throttled per client; the right token is never counted', async () => {
  const t = await buildTestApp();
  try {
    const del = (token: string, remoteAddress = '203.0.113.7') =>
      t.app.inject({
        method: 'DELETE',
        url: '/api/messages/999',
        headers: { authorization: `Bearer ${token}` },
        remoteAddress,
      });
    for (let i = 0; i < ADMIN_FAILURES_PER_WINDOW; i++) assert.equal((await del(`wrong-${i}`)).statusCode, 403);
    const throttled = await del('wrong-again');
    assert.equal(throttled.statusCode, 429);
    assert.ok(Number(throttled.headers['retry-after']) > 0, 'Retry-After says when to come back');
    assert.equal(throttled.json().requestId, throttled.headers['x-request-id']);
    // The right token still works from that client (404: no such message), and is not counted.
    for (let i = 0; i < ADMIN_FAILURES_PER_WINDOW + 2; i++) assert.equal((await del(ADMIN_TOKEN)).statusCode, 404);
    // Another client is not affected.
    assert.equal((await del('wrong', '198.51.100.1')).statusCode, 403);
  } finally {
    await t.close();
  }
});

test('reads and unknown URLs have a per-client limit of their own (RATE_LIMIT_READ_MAX)', async () => {
  const t = await buildTestApp({ env: { RATE_LIMIT_READ_MAX: '3' } });
  try {
    const get = (url: string) => t.app.inject({ url, remoteAddress: '203.0.113.8' });
    for (let i = 0; i < 3; i++) assert.equal((await get('/api/messages?limit=100')).statusCode, 200);
    const limited = await get('/api/messages?limit=100');
    assert.equal(limited.statusCode, 429);
    assert.equal(limited.json().error, 'Too Many Requests');
    for (let i = 0; i < 3; i++) assert.equal((await get(`/no/such/page-${i}`)).statusCode, 404);
    assert.equal((await get('/no/such/page-4')).statusCode, 429);
    // The cheap hello route and the health checks are not limited.
    for (let i = 0; i < 5; i++) assert.equal((await get('/api/hello')).statusCode, 200);
  } finally {
    await t.close();
  }
});

test('IPv6 clients share one bucket per RATE_LIMIT_IPV6_PREFIX, not one per /64', async () => {
  const t = await buildTestApp({ env: { RATE_LIMIT_MAX: '1', TRUST_PROXY: 'true', RATE_LIMIT_IPV6_PREFIX: '48' } });
  try {
    const post = (client: string) =>
      t.app.inject({
        method: 'POST',
        url: '/api/messages',
        payload: { name: 'v6', text: 'hi' },
        headers: { 'x-forwarded-for': client },
      });
    assert.equal((await post('2001:db8:1:1::1')).statusCode, 201);
    // Another /64 (indeed another /56) inside the same /48: the same client for the limiter.
    assert.equal((await post('2001:db8:1:ff00::1')).statusCode, 429);
    assert.equal((await post('2001:db8:2::1')).statusCode, 201, 'another /48 is another client');
  } finally {
    await t.close();
  }
});
