// `npm test` starts a throwaway PostgreSQL when none is given and the server is installed (.ci/with-test-postgres.sh,
// the same .ci/postgres.sh that .ci/run uses), and deletes it afterwards.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, test } from 'node:test';
import { requireOrSkip } from '@nodeapp/test-support';
import { readRepoFile, repoRoot } from '../src/repo.ts';

const WRAPPER = join(repoRoot, '.ci', 'with-test-postgres.sh');
const empty = mkdtempSync(join(tmpdir(), 'nodeapp-no-postgres-'));
after(() => rmSync(empty, { recursive: true, force: true }));

/** Runs `command` (bash) through the wrapper, without any TEST_DATABASE_* from this process. */
function wrapped(command: string, env: Record<string, string> = {}) {
  const { TEST_DATABASE_URL: _u, TEST_DATABASE_CA_FILE: _c, ...rest } = process.env;
  const r = spawnSync('bash', [WRAPPER, 'bash', '-c', command], {
    cwd: repoRoot,
    encoding: 'utf8',
    env: { ...rest, ...env },
    timeout: 120_000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const postgresInstalled =
  spawnSync('bash', ['-c', 'source .ci/postgres.sh && postgres_bin'], { cwd: repoRoot }).status === 0;

test('npm test runs the workspaces through the wrapper', () => {
  const { scripts } = JSON.parse(readRepoFile('package.json')) as { scripts: Record<string, string> };
  assert.match(scripts.test ?? '', /bash \.ci\/with-test-postgres\.sh npm run test --workspaces/);
});

test('no TEST_DATABASE_URL, server installed: a throwaway cluster with TLS for the command, gone afterwards', (t) => {
  const requirement = {
    missing: 'no PostgreSQL server binaries (initdb, pg_ctl)',
    howToGet: 'apt-get install postgresql',
  };
  if (!requireOrSkip(t, postgresInstalled, requirement)) return;
  const r = wrapped(
    'source .ci/postgres.sh && echo "URL=$TEST_DATABASE_URL" && echo "CA=$TEST_DATABASE_CA_FILE" && ' +
      '"$(postgres_bin)/psql" "$TEST_DATABASE_URL?sslmode=verify-full&sslrootcert=$TEST_DATABASE_CA_FILE" -Atc ' +
      '"select current_user, ssl from pg_stat_ssl where pid = pg_backend_pid()"',
  );
  assert.equal(r.code, 0, r.out + r.err);
  assert.match(r.out, /^PostgreSQL \d+.* on 127\.0\.0\.1:\d+ \(TLS on\), for this run only$/m);
  assert.match(r.out, /^URL=postgres:\/\/app:[^@]+@127\.0\.0\.1:\d+\/appdb$/m);
  assert.match(r.out, /^app\|t$/m, 'connected as app over verified TLS');
  const ca = /^CA=(.+)$/m.exec(r.out)?.[1] ?? '';
  assert.ok(ca.endsWith('server.crt'), ca);
  assert.equal(existsSync(dirname(ca)), false, 'the cluster folder is deleted when the command ends');
});

test('the command exit code is kept', () => {
  assert.equal(wrapped('exit 7', { TEST_DATABASE_URL: 'postgres://given@127.0.0.1:1/db' }).code, 7);
});

test('a TEST_DATABASE_URL given is used as it is', () => {
  const r = wrapped('echo "URL=$TEST_DATABASE_URL"', { TEST_DATABASE_URL: 'postgres://given@127.0.0.1:1/db' });
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /^PostgreSQL: TEST_DATABASE_URL is given$/m);
  assert.match(r.out, /^URL=postgres:\/\/given@127\.0\.0\.1:1\/db$/m);
});

test('no server binaries: the command runs without one, and the message says how to install it', () => {
  // biome-ignore lint/suspicious/noTemplateCurlyInString: shell syntax in a shell command
  const r = wrapped('echo "URL=${TEST_DATABASE_URL:-none}"', {
    PATH: `${dirname(process.execPath)}:/usr/bin:/bin`,
    POSTGRES_LIB_DIR: empty,
  });
  // /usr/bin may hold an initdb on some systems (not Debian's layout): then this case cannot be shown here.
  if (/^PostgreSQL \d/m.test(r.out)) return;
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /^URL=none$/m);
  assert.match(
    r.out,
    /^PostgreSQL: no server binaries \(initdb, pg_ctl\) found: its tests skip; to run them: apt-get install postgresql/m,
  );
});
