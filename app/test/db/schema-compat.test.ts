// Expand/contract, checked (app/migrations/README.md): during a deploy the migrate task runs first, so the release
// still serving meets the NEW schema. This runs a release's data-access tests (test/db/messages.test.ts: every query
// the service makes) on a copy of its code whose migrations folder is replaced by another set, with both engines
// (PGlite, and the PostgreSQL server when TEST_DATABASE_URL is set, as every db test does).
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { skipUnless } from '@nodeapp/test-support';

const appDir = fileURLToPath(new URL('../../', import.meta.url));
const repoDir = join(appDir, '..');
const migrationsDir = join(appDir, 'migrations');
const DB_TESTS = 'test/db/messages.test.ts';
// In CI's container the checkout belongs to another user than the tests: without this, git stops at "dubious
// ownership" (command-line config is protected configuration: https://git-scm.com/docs/git-config#Documentation/git-config.txt-safedirectory).
const GIT = ['-c', 'safe.directory=*'];

/** A release's app code (`worktree`, or a git revision) with `migrations` as its migrations folder, inside app/ so
 * its imports resolve against the repository's node_modules. */
function releaseTree(code: 'worktree' | { rev: string }, migrations: Record<string, string>): string {
  const dir = mkdtempSync(join(appDir, '.schema-compat-'));
  if (code === 'worktree') {
    for (const part of ['src', 'test', 'package.json'])
      cpSync(join(appDir, part), join(dir, part), { recursive: true });
  } else {
    const tar = execFileSync('git', [...GIT, 'archive', code.rev, 'app/src', 'app/test', 'app/package.json'], {
      cwd: repoDir,
    });
    execFileSync('tar', ['-x', '--strip-components=1', '-C', dir], { input: tar });
  }
  rmSync(join(dir, 'migrations'), { recursive: true, force: true });
  mkdirSync(join(dir, 'migrations'));
  for (const [name, sql] of Object.entries(migrations)) writeFileSync(join(dir, 'migrations', name), sql);
  return dir;
}

function currentMigrations(): Record<string, string> {
  const files = readdirSync(migrationsDir).filter((f) => f.endsWith('.sql'));
  return Object.fromEntries(files.map((f) => [f, readFileSync(join(migrationsDir, f), 'utf8')]));
}

function runDbTests(dir: string): { ok: boolean; output: string } {
  // Without NODE_TEST_CONTEXT: a child `node --test` that finds it reports to this runner instead of by exit code.
  const { NODE_TEST_CONTEXT: _, ...env } = process.env;
  const r = spawnSync(process.execPath, ['--test', DB_TESTS], { cwd: dir, encoding: 'utf8', env });
  return { ok: r.status === 0, output: `${r.stdout}${r.stderr}` };
}

function withTree<T>(dir: string, run: (dir: string) => T): T {
  try {
    return run(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('the release serving during a deploy, on the schema one step ahead', () => {
  test('passes on an expand step (a new nullable column) after its own migrations', () => {
    const ahead = { ...currentMigrations(), '999_expand_probe.sql': 'ALTER TABLE messages ADD COLUMN probe text;\n' };
    const r = withTree(releaseTree('worktree', ahead), runDbTests);
    assert.ok(r.ok, r.output);
  });

  // The check can fail: a contract step too early (dropping a column the running release reads) breaks it.
  test('fails on a contract step that drops a column it still uses', () => {
    const ahead = { ...currentMigrations(), '999_contract_probe.sql': 'ALTER TABLE messages DROP COLUMN name;\n' };
    const r = withTree(releaseTree('worktree', ahead), runDbTests);
    assert.equal(r.ok, false, 'the db tests passed without the column they read');
    assert.match(r.output, /column "name" does not exist|column messages\.name does not exist/);
  });

  // The real pair: the release before the newest migration (the parent of the commit that last changed
  // app/migrations), with today's migrations. Needs the git history (CI checks out with full depth).
  const history = (() => {
    const r = spawnSync('git', [...GIT, 'rev-parse', '--is-shallow-repository'], { cwd: repoDir, encoding: 'utf8' });
    return r.status === 0 && r.stdout.trim() === 'false';
  })();
  test("the previous release's data-access tests pass on this release's migrations", {
    skip: skipUnless(history, {
      missing: 'no full git history (a shallow clone, or no git)',
      howToGet: 'clone with full history (actions/checkout fetch-depth: 0)',
    }),
  }, (t) => {
    const newest = execFileSync('git', [...GIT, 'log', '-1', '--format=%H', '--', 'app/migrations'], {
      cwd: repoDir,
      encoding: 'utf8',
    }).trim();
    const parent = spawnSync('git', [...GIT, 'rev-parse', '--verify', '--quiet', `${newest}^`], {
      cwd: repoDir,
      encoding: 'utf8',
    });
    const rev = parent.stdout.trim();
    const hasDbTests =
      parent.status === 0 &&
      spawnSync('git', [...GIT, 'cat-file', '-e', `${rev}:app/${DB_TESTS}`], { cwd: repoDir }).status === 0;
    if (!hasDbTests) {
      // Nothing served a database before the newest migration: no release to keep compatible.
      t.diagnostic(`the release before ${newest.slice(0, 12)} has no ${DB_TESTS}: nothing to check`);
      return;
    }
    const r = withTree(releaseTree({ rev }, currentMigrations()), runDbTests);
    assert.ok(r.ok, `release ${rev.slice(0, 12)} on today's migrations:\n${r.output}`);
  });
});

test('leaves no copy behind', () => {
  assert.deepEqual(
    readdirSync(appDir).filter((f) => f.startsWith('.schema-compat-') && existsSync(join(appDir, f))),
    [],
  );
});
