import assert from 'node:assert/strict';
import { test } from 'node:test';
import rateLimit from '@fastify/rate-limit';
import { Ajv } from 'ajv';
import Fastify from 'fastify';
import type { Database } from '../../src/db/types.ts';
import { configureValidation } from '../../src/http/validation.ts';
import { newLifecycle } from '../../src/lifecycle.ts';
import { registerRoutes, routePlugins } from '../../src/routes/index.ts';
import { testConfig } from '../helpers.ts';

// The service's Ajv instances skip meta-schema validation at start-up (validation.ts), so every route
// schema is checked here instead.
test('every route schema is a valid JSON Schema', async () => {
  const schemas: { where: string; schema: unknown }[] = [];
  const app = Fastify();
  configureValidation(app);
  app.addHook('onRoute', (route) => {
    const { body, querystring, params, headers, response } = (route.schema ?? {}) as Record<string, unknown>;
    const parts: [string, unknown][] = [
      ['body', body],
      ['querystring', querystring],
      ['params', params],
      ['headers', headers],
      ...Object.entries((response ?? {}) as Record<string, unknown>).map(([code, s]): [string, unknown] => [
        `response ${code}`,
        s,
      ]),
    ];
    for (const [part, schema] of parts) {
      if (schema !== undefined) schemas.push({ where: `${route.method} ${route.url} ${part}`, schema });
    }
  });
  // Registering the routes runs no query: the database is never called here.
  await app.register(rateLimit, { global: false });
  // The same list app.ts registers: a new route plugin is checked here without anyone remembering to add it.
  await registerRoutes(app, { config: testConfig(), db: {} as Database, lifecycle: newLifecycle() });
  await app.ready();
  assert.ok(routePlugins.length >= 3);
  assert.ok(
    schemas.some((s) => s.where === 'POST /api/messages body'),
    'the POST body schema was seen',
  );
  const ajv = new Ajv({ strict: false });
  for (const { where, schema } of schemas) {
    assert.ok(ajv.validateSchema(schema as object), `${where}: ${ajv.errorsText(ajv.errors)}`);
  }
  await app.close();
});

test('a malformed schema would be reported', () => {
  assert.equal(
    new Ajv({ strict: false }).validateSchema({ type: 'object', properties: { name: { maxLength: -1 } } }),
    false,
  );
});
