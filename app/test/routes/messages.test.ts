import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { ADMIN_TOKEN, buildTestApp, type TestApp } from '../helpers.ts';

let t: TestApp;
before(async () => {
  t = await buildTestApp();
});
after(() => t.close());
beforeEach(() => t.db.exec('TRUNCATE messages RESTART IDENTITY'));

const post = (payload: unknown, headers: Record<string, string> = {}) =>
  t.app.inject({ method: 'POST', url: '/api/messages', payload: payload as object, headers });
const list = (query = '') => t.app.inject({ method: 'GET', url: `/api/messages${query}` });
const del = (id: string | number, authorization?: string) =>
  t.app.inject({ method: 'DELETE', url: `/api/messages/${id}`, headers: authorization ? { authorization } : {} });

describe('POST /api/messages', () => {
  test('stores a trimmed message and returns it with 201', async () => {
    const res = await post({ name: '  Ana ', text: '\n Hello there \t' });
    assert.equal(res.statusCode, 201);
    const body = res.json();
    assert.equal(body.name, 'Ana');
    assert.equal(body.text, 'Hello there');
    assert.equal(body.id, 1);
    assert.ok(Math.abs(Date.parse(body.createdAt) - Date.now()) < 60_000);
    assert.deepEqual((await list()).json().messages, [body]);
  });

  test('accepts exactly 80 and 500 characters, counted as characters not UTF-16 units', async () => {
    const res = await post({ name: '😀'.repeat(80), text: 'é'.repeat(500) });
    assert.equal(res.statusCode, 201);
    assert.equal(res.json().name, '😀'.repeat(80));
  });

  test('real writing with combining marks is accepted (NFD Vietnamese, Hebrew with points, Tibetan stacks, Devanagari)', async () => {
    for (const name of [
      'Nguye\u0302\u0303n Vie\u0323\u0302t',
      '\u05E9\u05C1\u05B8\u05DC\u05D5\u05B9\u05DD',
      '\u0F56\u0F66\u0F92\u0FB2\u0F74\u0F56\u0F66',
      '\u0928\u092E\u0938\u094D\u0924\u0947',
      'Ana \uE000',
    ]) {
      const res = await post({ name, text: `hello from ${name}` });
      assert.equal(res.statusCode, 201, `${name}: ${res.body}`);
    }
  });

  const invalid: [string, unknown, RegExp][] = [
    ['missing name', { text: 'hi' }, /^body\/name is required$/],
    ['missing text', { name: 'Ana' }, /^body\/text is required$/],
    ['blank name after trimming', { name: '   ', text: 'hi' }, /^body\/name must NOT have fewer than 1 characters$/],
    ['name too long', { name: 'a'.repeat(81), text: 'hi' }, /^body\/name must NOT have more than 80 characters$/],
    ['text too long', { name: 'Ana', text: 'a'.repeat(501) }, /^body\/text must NOT have more than 500 characters$/],
    ['number as name', { name: 42, text: 'hi' }, /^body\/name must be string$/],
    ['null text', { name: 'Ana', text: null }, /^body\/text must be string$/],
    ['unknown field', { name: 'Ana', text: 'hi', admin: true }, /^body\/admin is not allowed$/],
    ['array body', [{ name: 'Ana', text: 'hi' }], /^body must be object$/],
    ['NUL in text', { name: 'Ana', text: 'a\u0000b' }, /^body\/text must not contain control characters/],
    [
      'control character in name',
      { name: 'A\u0007na', text: 'hi' },
      /^body\/name must contain a visible .* no control/,
    ],
    ['lone surrogate in name', { name: 'A\ud800', text: 'hi' }, /^body\/name must contain a visible .* no control/],
    ['bidi override in name', { name: 'Ana\u202Egnp.exe', text: 'hi' }, /^body\/name .*bidirectional-override/],
    ['bidi isolate in name', { name: '\u2067Ana', text: 'hi' }, /^body\/name .*bidirectional-override/],
    ['zero-width-only name', { name: '\u200B\u200C\u200D', text: 'hi' }, /^body\/name must contain a visible/],
    ['word-joiner and BOM name', { name: '\u2060\uFEFF', text: 'hi' }, /^body\/name must contain a visible/],
    ['Hangul filler name', { name: '\u3164', text: 'hi' }, /^body\/name must contain a visible/],
    ['bidi override in text', { name: 'Ana', text: 'a\u202Eb' }, /^body\/text .*bidirectional-override/],
    ['combining-marks-only name', { name: '\u0301\u0300\u0308', text: 'hi' }, /^body\/name must contain a visible/],
    ['enclosing-marks-only name', { name: '\u20DD\u20DE', text: 'hi' }, /^body\/name must contain a visible/],
    ['private-use-only name', { name: '\uE000\uF8FF', text: 'hi' }, /^body\/name must contain a visible/],
    [
      'supplementary private-use name',
      { name: '\u{F0000}\u{10FFFD}', text: 'hi' },
      /^body\/name must contain a visible/,
    ],
    ['marks on private use', { name: '\uE000\u0301', text: 'hi' }, /^body\/name must contain a visible/],
    [
      'stacked marks in name',
      { name: `Z${'\u0336\u0353'.repeat(20)}algo`, text: 'hi' },
      /^body\/name .*at most 4 combining marks/,
    ],
    [
      'five marks on one letter of name',
      { name: 'Ana\u0301\u0302\u0303\u0304\u0305', text: 'hi' },
      /^body\/name .*combining marks/,
    ],
    [
      'stacked marks in text',
      { name: 'Ana', text: `hi e${'\u0489'.repeat(5)}\nthere` },
      /^body\/text .*more than 4 combining marks/,
    ],
  ];
  for (const [label, payload, message] of invalid) {
    test(`400 naming the field: ${label}`, async () => {
      const res = await post(payload);
      assert.equal(res.statusCode, 400);
      assert.equal(res.json().error, 'Bad Request');
      assert.match(res.json().message, message);
      assert.equal((await list()).json().messages.length, 0, 'nothing stored');
    });
  }

  test('malformed JSON is a 400, not a 500', async () => {
    const res = await post('{"name": "Ana", ', { 'content-type': 'application/json' });
    assert.equal(res.statusCode, 400);
    assert.doesNotMatch(res.body, /at .*\.js:\d+/);
  });

  test('a non-JSON content type is a 415', async () => {
    const res = await post('name=Ana&text=hi', { 'content-type': 'application/x-www-form-urlencoded' });
    assert.equal(res.statusCode, 415);
  });

  test('a body over the limit is a 413', async () => {
    const res = await post({ name: 'Ana', text: 'a'.repeat(20_000) });
    assert.equal(res.statusCode, 413);
    assert.equal(res.json().statusCode, 413);
  });

  test('prototype pollution attempts are refused', async () => {
    const res = await post('{"name":"Ana","text":"hi","__proto__":{"admin":true}}', {
      'content-type': 'application/json',
    });
    assert.equal(res.statusCode, 400);
  });
});

describe('GET /api/messages', () => {
  test('empty guestbook', async () => {
    const res = await list();
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), { messages: [], nextCursor: null });
    assert.equal(res.headers['cache-control'], 'no-store');
  });

  test('newest first, paginated with the cursor until the end', async () => {
    for (let i = 1; i <= 5; i++) assert.equal((await post({ name: `n${i}`, text: `t${i}` })).statusCode, 201);
    const first = (await list('?limit=2')).json();
    assert.deepEqual(
      first.messages.map((m: { text: string }) => m.text),
      ['t5', 't4'],
    );
    assert.equal(first.nextCursor, 4);
    const second = (await list(`?limit=2&before=${first.nextCursor}`)).json();
    assert.deepEqual(
      second.messages.map((m: { text: string }) => m.text),
      ['t3', 't2'],
    );
    const third = (await list(`?limit=2&before=${second.nextCursor}`)).json();
    assert.deepEqual(
      third.messages.map((m: { text: string }) => m.text),
      ['t1'],
    );
    assert.equal(third.nextCursor, null);
  });

  test('default limit is 20', async () => {
    for (let i = 0; i < 21; i++) await post({ name: 'n', text: `t${i}` });
    const page = (await list()).json();
    assert.equal(page.messages.length, 20);
    assert.equal(page.nextCursor, 2);
  });

  for (const [query, field] of [
    ['?limit=0', 'limit'],
    ['?limit=101', 'limit'],
    ['?limit=abc', 'limit'],
    ['?limit=1.5', 'limit'],
    ['?before=0', 'before'],
    ['?before=99999999999', 'before'],
    ['?before=x', 'before'],
    ['?page=2', 'page'],
  ] as const) {
    test(`400 naming the parameter: ${query}`, async () => {
      const res = await list(query);
      assert.equal(res.statusCode, 400);
      assert.match(res.json().message, new RegExp(`^querystring/${field}`));
    });
  }
});

describe('DELETE /api/messages/:id (admin)', () => {
  test('deletes with the admin token (204), then 404', async () => {
    const { id } = (await post({ name: 'Ana', text: 'spam' })).json();
    const res = await del(id, `Bearer ${ADMIN_TOKEN}`);
    assert.equal(res.statusCode, 204);
    assert.equal(res.body, '');
    assert.deepEqual((await list()).json().messages, []);
    const again = await del(id, `Bearer ${ADMIN_TOKEN}`);
    assert.equal(again.statusCode, 404);
    assert.equal(again.json().message, `Message ${id} not found`);
  });

  test('401 without credentials, with a WWW-Authenticate challenge', async () => {
    const { id } = (await post({ name: 'Ana', text: 'kept' })).json();
    for (const authorization of [undefined, 'Basic YWRtaW46YWRtaW4=', 'Bearer']) {
      const res = await del(id, authorization);
      assert.equal(res.statusCode, 401, String(authorization));
      assert.equal(res.headers['www-authenticate'], 'Bearer');
    }
    assert.equal((await list()).json().messages.length, 1);
  });

  test('403 with a wrong token, of any length', async () => {
    const { id } = (await post({ name: 'Ana', text: 'kept' })).json();
    for (const token of ['x', `${ADMIN_TOKEN}x`, ADMIN_TOKEN.slice(0, -1), ADMIN_TOKEN.toUpperCase()]) {
      assert.equal((await del(id, `Bearer ${token}`)).statusCode, 403, token);
    }
    assert.equal((await list()).json().messages.length, 1);
  });

  test('authentication comes before validation: no token and a bad id is still 401', async () => {
    assert.equal((await del('abc')).statusCode, 401);
  });

  test('400 for an id that is not a positive 32-bit integer', async () => {
    for (const id of ['abc', '0', '-1', '2147483648']) {
      const res = await del(id, `Bearer ${ADMIN_TOKEN}`);
      assert.equal(res.statusCode, 400, id);
      assert.match(res.json().message, /^params\/id/);
    }
  });
});

test('without ADMIN_TOKEN the admin endpoint answers 503, never open', async () => {
  const open = await buildTestApp({ env: { ADMIN_TOKEN: '' }, db: t.db });
  try {
    const { id } = (
      await open.app.inject({ method: 'POST', url: '/api/messages', payload: { name: 'a', text: 'b' } })
    ).json();
    for (const authorization of [undefined, 'Bearer ', 'Bearer undefined', 'Bearer null']) {
      const res = await open.app.inject({
        method: 'DELETE',
        url: `/api/messages/${id}`,
        headers: authorization ? { authorization } : {},
      });
      assert.equal(res.statusCode, 503);
      assert.match(res.json().message, /ADMIN_TOKEN is not configured/);
    }
  } finally {
    await open.close();
  }
});

test('POST is rate-limited per client IP (429), other clients unaffected', async () => {
  const limited = await buildTestApp({ env: { RATE_LIMIT_MAX: '2', RATE_LIMIT_WINDOW_SECONDS: '60' }, db: t.db });
  try {
    const from = (remoteAddress: string) =>
      limited.app.inject({ method: 'POST', url: '/api/messages', payload: { name: 'a', text: 'b' }, remoteAddress });
    assert.equal((await from('10.0.0.1')).statusCode, 201);
    assert.equal((await from('10.0.0.1')).statusCode, 201);
    const third = await from('10.0.0.1');
    assert.equal(third.statusCode, 429);
    assert.match(third.json().message, /Rate limit exceeded/);
    assert.equal((await from('10.0.0.2')).statusCode, 201);
    // Reading is not limited.
    assert.equal(
      (await limited.app.inject({ method: 'GET', url: '/api/messages', remoteAddress: '10.0.0.1' })).statusCode,
      200,
    );
  } finally {
    await limited.close();
  }
});

test('behind a trusted proxy the client is the X-Forwarded-For address', async () => {
  const proxied = await buildTestApp({ env: { RATE_LIMIT_MAX: '1', TRUST_PROXY: '1' }, db: t.db });
  try {
    const from = (client: string) =>
      proxied.app.inject({
        method: 'POST',
        url: '/api/messages',
        payload: { name: 'a', text: 'b' },
        remoteAddress: '10.0.0.9', // the load balancer
        headers: { 'x-forwarded-for': client },
      });
    assert.equal((await from('203.0.113.1')).statusCode, 201);
    assert.equal((await from('203.0.113.1')).statusCode, 429);
    assert.equal((await from('203.0.113.2')).statusCode, 201);
  } finally {
    await proxied.close();
  }
});
