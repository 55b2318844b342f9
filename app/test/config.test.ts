import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { ConfigError, configSchema, loadConfig } from '../src/config.ts';

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return error.problems;
  }
  assert.fail('expected a ConfigError');
}

describe('loadConfig', () => {
  test('defaults: embedded ./.data, port 3000, metrics on loopback 9464, 1 s drain, 30 s request limit, no warm-up', () => {
    const c = loadConfig({});
    assert.deepEqual(c.database, { kind: 'pglite', dataDir: './.data' });
    assert.equal(c.port, 3000);
    assert.equal(c.host, '0.0.0.0');
    assert.equal(c.metricsPort, 9464);
    assert.equal(c.metricsHost, '127.0.0.1');
    assert.equal(c.shutdownDrainSeconds, 1);
    assert.equal(c.requestTimeoutMs, 30_000);
    assert.equal(c.keepAliveTimeoutMs, 65_000);
    assert.equal(c.adminToken, undefined);
    assert.equal(c.trustProxy, false);
    assert.deepEqual(c.rateLimit, { max: 10, readMax: 600, windowMs: 60_000, ipv6PrefixLength: 56 });
    assert.equal(c.warmUpRounds, 0);
  });

  test('DATABASE_URL selects a PostgreSQL server with the pool settings', () => {
    const c = loadConfig({
      DATABASE_URL: 'postgres://u:p@db:5432/app',
      DATABASE_POOL_MAX: '3',
      DATABASE_STATEMENT_TIMEOUT_MS: '1500',
      DATABASE_CONNECT_TIMEOUT_MS: '2500',
      DATABASE_SSL: 'verify-full',
    });
    assert.deepEqual(c.database, {
      kind: 'postgres',
      connection: { connectionString: 'postgres://u:p@db:5432/app' },
      ssl: 'verify-full',
      caFile: undefined,
      poolMax: 3,
      statementTimeoutMs: 1500,
      connectTimeoutMs: 2500,
    });
  });

  test('the discrete DATABASE_* variables (ECS secrets) select a server too', () => {
    const c = loadConfig({
      DATABASE_HOST: 'db.internal',
      DATABASE_NAME: 'app',
      DATABASE_USER: 'u',
      DATABASE_PASSWORD: 'p w',
    });
    assert.equal(c.database.kind, 'postgres');
    if (c.database.kind === 'postgres') {
      assert.deepEqual(c.database.connection, {
        host: 'db.internal',
        port: 5432,
        database: 'app',
        user: 'u',
        password: 'p w',
      });
    }
  });

  test('TRUST_PROXY: true, false, a hop count or a list of addresses', () => {
    assert.equal(loadConfig({ TRUST_PROXY: 'true' }).trustProxy, true);
    assert.equal(loadConfig({ TRUST_PROXY: '2' }).trustProxy, 2);
    assert.deepEqual(loadConfig({ TRUST_PROXY: '10.0.0.0/16,127.0.0.1' }).trustProxy, ['10.0.0.0/16', '127.0.0.1']);
  });

  test('an empty variable counts as unset', () => {
    assert.equal(loadConfig({ ADMIN_TOKEN: '', PORT: '' }).port, 3000);
  });

  const bad: [Record<string, string>, RegExp][] = [
    [{ PORT: 'abc' }, /^PORT: must be integer \(got "abc"\)$/],
    [{ PORT: '70000' }, /^PORT: must be <= 65535/],
    [{ METRICS_PORT: '-1' }, /^METRICS_PORT: must be >= 0/],
    [{ PORT: '8080', METRICS_PORT: '8080' }, /^METRICS_PORT: must differ from PORT$/],
    [{ LOG_LEVEL: 'loud' }, /^LOG_LEVEL: must be equal to one of the allowed values: fatal, error/],
    [{ ADMIN_TOKEN: 'short' }, /^ADMIN_TOKEN: must be at least 32 characters$/],
    [{ ADMIN_TOKEN: 'aaaaaaaaaaaaaaaa' }, /^ADMIN_TOKEN: must be at least 32 characters$/],
    [{ ADMIN_TOKEN: 'a'.repeat(40) }, /^ADMIN_TOKEN: must not be a short pattern repeated$/],
    [{ ADMIN_TOKEN: 'abc123'.repeat(6) }, /^ADMIN_TOKEN: must not be a short pattern repeated$/],
    [{ ADMIN_TOKEN: 'abababababababababababababababababcd' }, /^ADMIN_TOKEN: must use at least 10 different/],
    [{ REQUEST_TIMEOUT_SECONDS: '60' }, /^REQUEST_TIMEOUT_SECONDS: must be <= 59/],
    [{ RATE_LIMIT_IPV6_PREFIX: '8' }, /^RATE_LIMIT_IPV6_PREFIX: must be >= 16/],
    [{ DATABASE_URL: 'mysql://x' }, /^DATABASE_URL: must match pattern/],
    [{ DATABASE_URL: 'postgres://h/db?sslmode=require' }, /^DATABASE_URL: remove sslmode/],
    [{ DATABASE_SSL: 'require' }, /^DATABASE_SSL: must be equal to one of the allowed values: disable, verify-full/],
    [{ DATABASE_CA_FILE: '/nonexistent/ca.pem' }, /^DATABASE_CA_FILE: file not found/],
    [{ DATABASE_POOL_MAX: '0' }, /^DATABASE_POOL_MAX: must be >= 1/],
    [{ SHUTDOWN_DRAIN_SECONDS: '60' }, /^SHUTDOWN_DRAIN_SECONDS: must be <= 20/],
    [{ TRUST_PROXY: 'yes please' }, /^TRUST_PROXY: must match pattern/],
    [{ DATABASE_HOST: 'db' }, /^DATABASE_NAME: required when/],
    [{ DATABASE_URL: 'postgres://h/db', DATABASE_HOST: 'db' }, /^DATABASE_URL: set either/],
  ];
  for (const [env, expected] of bad) {
    test(`rejects ${JSON.stringify(env)}`, () => {
      const found = problems(env);
      assert.ok(
        found.some((p) => expected.test(p)),
        found.join('\n'),
      );
    });
  }

  test('every problem is reported at once, and a password is never echoed', () => {
    const found = problems({ PORT: 'x', LOG_LEVEL: 'y', DATABASE_PASSWORD: 'hunter2', DATABASE_HOST: 'h' });
    assert.ok(found.some((p) => p.startsWith('PORT:')));
    assert.ok(found.some((p) => p.startsWith('LOG_LEVEL:')));
    assert.doesNotMatch(found.join('\n'), /hunter2/);
  });

  test('a mistyped DATABASE_URL is echoed with its password masked', () => {
    for (const url of ['postgress://app:hunter2@db:5432/app', 'postgres//app:hunter2@db/app', 'app:hunter2@db']) {
      const found = problems({ DATABASE_URL: url }).join('\n');
      assert.match(found, /^DATABASE_URL: must match pattern/);
      assert.match(found, /app:\*\*\*@db/);
      assert.doesNotMatch(found, /hunter2/, found);
    }
  });

  test('a strong token (48 random alphanumerics, as generated in AWS) is accepted', () => {
    const token = 'Q7hK2mZp9XwR4tLc8VbN3sJd6FgY1aHe5uTi0oPqWxEzCvBn';
    assert.equal(loadConfig({ ADMIN_TOKEN: token }).adminToken, token);
  });
});

test('the server exits 1 on bad configuration, one line per problem naming the variable, no stack trace', () => {
  const appDir = fileURLToPath(new URL('../', import.meta.url));
  const result = spawnSync(process.execPath, ['src/server.ts'], {
    cwd: appDir,
    env: { PATH: process.env.PATH, PORT: 'http', DATABASE_SSL: 'maybe', RATE_LIMIT_MAX: '0' },
    encoding: 'utf8',
    timeout: 30_000,
  });
  assert.equal(result.status, 1, result.stderr);
  const lines = result.stderr.trim().split('\n');
  assert.deepEqual(
    lines.map((l) => l.split(':')[1]?.trim()),
    ['PORT', 'RATE_LIMIT_MAX', 'DATABASE_SSL'],
    result.stderr,
  );
  assert.ok(lines.every((l) => l.startsWith('Configuration error: ')));
  assert.doesNotMatch(result.stderr, /\n\s+at /);
  assert.equal(result.stdout, '');
});

test('the configuration schema is a valid JSON Schema (the service skips that check at start-up)', () => {
  const ajv = new Ajv({ strict: false });
  assert.ok(ajv.validateSchema(configSchema), ajv.errorsText(ajv.errors));
});
