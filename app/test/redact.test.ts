// A database password never appears in a message, however the connection setting is written.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ConfigError, loadConfig } from '../src/config.ts';
import { connectionSecrets, maskCredentials, passwordsIn, redact } from '../src/redact.ts';

const PASSWORD = 'Sup3r/s3cret pw';
const encoded = encodeURIComponent(PASSWORD);
// Each form a DATABASE_URL may be given in by mistake or on purpose, with PASSWORD in it (raw or encoded).
const SETTINGS: Record<string, string> = {
  'postgres URL, percent-encoded': `postgres://app:${encoded}@db.internal:5432/app`,
  'postgres URL, raw / and space': `postgres://app:${PASSWORD}@db.internal:5432/app`,
  'postgres URL, raw @ and ?': 'postgres://app:p@ss?w#rd/x@db.internal/app',
  'mistyped scheme, raw': `postgress://app:${PASSWORD}@db.internal/app`,
  'no scheme': `app:${PASSWORD}@db.internal`,
  JDBC: `jdbc:postgresql://db.internal:5432/app?user=app&password=${encoded}&ssl=true`,
  'JDBC, raw': `jdbc:postgresql://db.internal:5432/app?user=app&password=${PASSWORD.replace(' ', '')}`,
  'key=value': 'host=db.internal port=5432 user=app password=Sup3r/s3cret dbname=app',
  'key=value, quoted': `host=db.internal user=app password='${PASSWORD}' dbname=app`,
};
const secretOf = (name: string) => (name === 'postgres URL, raw @ and ?' ? 'p@ss?w#rd/x' : PASSWORD);
const leaks = (text: string, name: string) =>
  [secretOf(name), encodeURIComponent(secretOf(name)), 'Sup3r/s3cret', 'Sup3r%2Fs3cret', 's3cret'].filter((s) =>
    text.includes(s),
  );

describe('maskCredentials', () => {
  for (const [name, setting] of Object.entries(SETTINGS)) {
    test(`${name}: the password is masked, the rest stays readable`, () => {
      const shown = maskCredentials(setting);
      assert.deepEqual(leaks(shown, name), [], shown);
      assert.match(shown, /\*\*\*/);
      assert.match(shown, /db\.internal/);
    });
  }

  test('a setting without a password is shown as it is', () => {
    for (const setting of ['postgres://db.internal:5432/app', 'host=db user=app dbname=x', 'app@db']) {
      assert.equal(maskCredentials(setting), setting);
    }
  });
});

test('a configuration error never echoes the password, for any form of DATABASE_URL', () => {
  for (const [name, setting] of Object.entries(SETTINGS)) {
    let message = '';
    try {
      loadConfig({ DATABASE_URL: setting, PORT: 'not-a-port' });
    } catch (error) {
      assert.ok(error instanceof ConfigError);
      message = error.problems.join('\n');
    }
    assert.match(message, /PORT:/, name);
    assert.deepEqual(leaks(message, name), [], `${name}: ${message}`);
  }
});

test('an error message is redacted with every spelling of the configured password', () => {
  const secrets = connectionSecrets({ connectionString: SETTINGS['postgres URL, percent-encoded'] });
  assert.ok(secrets.includes(PASSWORD) && secrets.includes(encoded));
  assert.equal(redact(`could not connect: ${PASSWORD} / ${encoded}`, secrets), 'could not connect: *** / ***');
  assert.deepEqual(connectionSecrets({ password: 'a b' }), ['a%20b', 'a b']);
  assert.deepEqual(passwordsIn('postgres://db/app'), []);
});

test('the server refuses a JDBC DATABASE_URL in one line, without its password', () => {
  const appDir = fileURLToPath(new URL('../', import.meta.url));
  const result = spawnSync(process.execPath, ['src/server.ts'], {
    cwd: appDir,
    env: { PATH: process.env.PATH, DATABASE_URL: SETTINGS.JDBC },
    encoding: 'utf8',
    timeout: 30_000,
  });
  assert.equal(result.status, 1, result.stderr);
  assert.match(result.stderr, /^Configuration error: DATABASE_URL: must match pattern/m);
  assert.deepEqual(leaks(result.stdout + result.stderr, 'JDBC'), [], result.stderr);
});
