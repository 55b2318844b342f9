// Property-based bad input (fast-check) at every endpoint: never a 5xx, never a crash; what was accepted
// reads back exactly, and nothing else is stored.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import { ADMIN_TOKEN, buildTestApp, type TestApp } from './helpers.ts';

let t: TestApp;
const accepted: { name: string; text: string }[] = [];

before(async () => {
  t = await buildTestApp({ env: { RATE_LIMIT_MAX: '1000000' } });
});
after(() => t.close());

const RUNS = { numRuns: 150 };

const injection = fc.constantFrom(
  "'; DROP TABLE messages; --",
  '" OR 1=1 --',
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '{{7*7}}',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a template-injection probe, on purpose
  '${process.exit(1)}',
  '../../etc/passwd',
  '%00',
  '\u202Eevil',
  'ﷺ',
  '𝕳𝖊𝖑𝖑𝖔',
  'e\u0301',
  '\uFEFF',
);
const text = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 120 }),
  fc.string({ unit: 'binary', maxLength: 120 }), // any code point, including lone surrogates
  fc.string({ maxLength: 600 }),
  injection,
);
const anyValue = fc.oneof(text, fc.anything({ maxDepth: 2 }), fc.integer(), fc.constant(null), fc.boolean());
const body = fc.oneof(
  fc.record({ name: text, text }),
  fc.record({ name: anyValue, text: anyValue }, { requiredKeys: [] }),
  fc.dictionary(fc.string({ maxLength: 10 }), anyValue, { maxKeys: 4 }),
  fc.anything({ maxDepth: 3 }),
);
const contentType = fc.constantFrom(
  'application/json',
  'application/json; charset=utf-8',
  'APPLICATION/JSON',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/xml',
  'application/json; charset=latin1',
  '',
  'garbage',
);

function expectedStored(payload: unknown): { name: string; text: string } | undefined {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return undefined;
  const p = payload as Record<string, unknown>;
  if (typeof p.name !== 'string' || typeof p.text !== 'string') return undefined;
  return { name: p.name.trim(), text: p.text.trim() };
}

test('POST /api/messages with random JSON bodies: 201 or 4xx, and a 201 stores exactly the trimmed input', async () => {
  await fc.assert(
    fc.asyncProperty(body, async (payload) => {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/messages',
        headers: { 'content-type': 'application/json' },
        payload: JSON.stringify(payload) ?? 'undefined',
      });
      assert.ok(res.statusCode < 500, `${res.statusCode} ${res.body}`);
      if (res.statusCode === 201) {
        const expected = expectedStored(payload);
        assert.ok(expected, 'only a {name, text} object of strings may be accepted');
        const stored = res.json();
        assert.equal(stored.name, expected.name);
        assert.equal(stored.text, expected.text);
        accepted.push(expected);
      } else {
        assert.ok([400, 413].includes(res.statusCode), `${res.statusCode} ${res.body}`);
        assert.equal(typeof res.json().message, 'string');
      }
    }),
    RUNS,
  );
});

test('POST /api/messages with random raw bytes and content types: never a 5xx', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.oneof(fc.string({ unit: 'binary', maxLength: 300 }), fc.uint8Array({ maxLength: 300 }).map(Buffer.from)),
      contentType,
      async (payload, type) => {
        const res = await t.app.inject({
          method: 'POST',
          url: '/api/messages',
          headers: type ? { 'content-type': type } : {},
          payload,
        });
        assert.ok(res.statusCode < 500, `${res.statusCode} ${res.body}`);
        if (res.statusCode === 201) {
          const raw = Buffer.isBuffer(payload) ? payload.toString('utf8') : payload;
          const expected = expectedStored(JSON.parse(raw));
          assert.ok(expected);
          accepted.push(expected);
        }
      },
    ),
    RUNS,
  );
});

test('huge bodies are refused with 413 before parsing', async () => {
  for (const size of [16_385, 1_000_000, 5_000_000]) {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/messages',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ name: 'big', text: 'x'.repeat(size) }),
    });
    assert.equal(res.statusCode, 413, String(size));
  }
});

test('GET endpoints with random query strings: never a 5xx; hello echoes the trimmed name', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom('/api/messages', '/api/hello', '/health/live', '/health/ready', '/', '/docs/json'),
      fc.dictionary(fc.constantFrom('limit', 'before', 'name', 'x', 'limit[]', '__proto__'), text, { maxKeys: 3 }),
      async (path, query) => {
        const qs = new URLSearchParams(
          Object.entries(query).map(([k, v]): [string, string] => [k, v.replace(/[\uD800-\uDFFF]/g, '?')]),
        ).toString();
        const res = await t.app.inject({ method: 'GET', url: qs ? `${path}?${qs}` : path });
        assert.ok(res.statusCode < 500, `${path}?${qs} -> ${res.statusCode} ${res.body}`);
        const keys = Object.keys(query);
        if (path === '/api/hello' && res.statusCode === 200 && keys.length === 1 && keys[0] === 'name') {
          const name = query.name?.replace(/[\uD800-\uDFFF]/g, '?').trim() || 'world';
          assert.deepEqual(res.json(), { message: `Hello, ${name}!` });
        }
      },
    ),
    RUNS,
  );
});

test('DELETE with random ids and credentials: never a 5xx, never deletes without the token', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.oneof(
        fc.integer().map(String),
        fc.string({ maxLength: 30 }).map(encodeURIComponent),
        injection.map(encodeURIComponent),
      ),
      fc.option(
        fc.oneof(
          fc.string({ maxLength: 40 }).map((s) => `Bearer ${s}`),
          fc.string({ maxLength: 40 }),
        ),
      ),
      async (id, authorization) => {
        const headers: Record<string, string> = {};
        if (authorization !== null && /^[\t\x20-\x7e]*$/.test(authorization)) headers.authorization = authorization;
        const res = await t.app.inject({ method: 'DELETE', url: `/api/messages/${id}`, headers });
        assert.ok(res.statusCode < 500, `${res.statusCode} ${res.body}`);
        assert.notEqual(res.statusCode, 204);
        assert.notEqual(res.statusCode, 404); // authentication is checked before anything else
      },
    ),
    RUNS,
  );
  // With the token, a random id is a 400 or a 404 (nothing to delete), never a 5xx. Strings that
  // coerce to an existing id (" 1", "0x1") are left out: those would rightly delete a message.
  const existing = (s: string) =>
    s.trim() !== '' && Number.isInteger(Number(s)) && Number(s) > 0 && Number(s) < 100_000;
  await fc.assert(
    fc.asyncProperty(
      fc.oneof(
        fc.integer({ min: 100_000 }).map(String),
        fc
          .string({ maxLength: 20 })
          .filter((s) => !existing(s))
          .map(encodeURIComponent),
      ),
      async (id) => {
        const res = await t.app.inject({
          method: 'DELETE',
          url: `/api/messages/${id}`,
          headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
        });
        assert.ok([400, 404].includes(res.statusCode), `${id}: ${res.statusCode} ${res.body}`);
      },
    ),
    { numRuns: 50 },
  );
});

test('random methods and paths: never a 5xx', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD'),
      fc.array(
        fc.oneof(
          fc.string({ maxLength: 12 }).map(encodeURIComponent),
          fc.constantFrom('api', 'messages', 'docs', '..', '%2e%2e'),
        ),
        {
          maxLength: 4,
        },
      ),
      async (method, segments) => {
        const res = await t.app.inject({ method: method as 'GET', url: `/${segments.join('/')}` });
        assert.ok(res.statusCode < 500, `${method} /${segments.join('/')} -> ${res.statusCode}`);
      },
    ),
    RUNS,
  );
});

test('what was accepted reads back exactly, newest first, and nothing else was stored', async () => {
  const stored: { name: string; text: string }[] = [];
  let before: number | null = null;
  do {
    const res = await t.app.inject({ url: `/api/messages?limit=100${before ? `&before=${before}` : ''}` });
    const page = res.json() as { messages: { name: string; text: string }[]; nextCursor: number | null };
    stored.push(...page.messages.map(({ name, text }) => ({ name, text })));
    before = page.nextCursor;
  } while (before !== null);
  assert.ok(accepted.length > 0, 'the generators produced some valid messages');
  assert.deepEqual(stored, accepted.slice().reverse());
});
