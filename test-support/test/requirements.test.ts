// requireOrSkip / skipUnless: outside CI a missing tool skips with `<missing>; to run this test: <how>`; under CI=true
// the same test fails with that message. Runs a fixture test file in a child `node --test`.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { inCI, requirementMessage } from '../src/index.ts';

const FIXTURE = new URL('./fixtures/needs-tool.fixture.ts', import.meta.url).pathname;
const MESSAGE = 'frobnicator not found; to run this test: apt-get install frobnicator';

function runFixture(env: Record<string, string>) {
  // NODE_TEST_CONTEXT would make the child think it runs inside this test runner.
  const { CI: _ci, NODE_TEST_CONTEXT: _context, ...rest } = process.env;
  const r = spawnSync(process.execPath, ['--test', '--test-reporter=tap', FIXTURE], {
    encoding: 'utf8',
    env: { ...rest, ...env },
  });
  return { code: r.status, out: r.stdout + r.stderr };
}

test('one message form: what is missing, then how to get it', () => {
  assert.equal(
    requirementMessage({ missing: 'frobnicator not found', howToGet: 'apt-get install frobnicator' }),
    MESSAGE,
  );
});

test('outside CI: skipped with the message, the rest passes', () => {
  const r = runFixture({});
  assert.equal(r.code, 0, r.out);
  assert.ok(r.out.includes(`ok 1 - inside the test # SKIP ${MESSAGE}`), r.out);
  assert.match(r.out, /ok 2 - available\n/);
  assert.ok(r.out.includes(`as a suite option # SKIP ${MESSAGE}`), r.out);
});

test('outside CI, tool there: the suite runs', () => {
  const r = runFixture({ SUITE_TOOL: 'there' });
  assert.equal(r.code, 0, r.out);
  assert.match(r.out, /ok 1 - in the suite\n/);
});

test('CI=true: the test fails with the message instead of skipping', () => {
  const r = runFixture({ CI: 'true', SUITE_TOOL: 'there' });
  assert.equal(r.code, 1, r.out);
  assert.match(r.out, /not ok 1 - inside the test/);
  assert.ok(r.out.includes(`${MESSAGE} (CI=true: required here, never skipped)`), r.out);
  assert.doesNotMatch(r.out, /# SKIP/);
});

test('CI=true: a suite option fails the file when it loads', () => {
  const r = runFixture({ CI: 'true' });
  assert.equal(r.code, 1, r.out);
  assert.ok(r.out.includes(MESSAGE), r.out);
  assert.doesNotMatch(r.out, /# SKIP/);
});

test('what counts as CI', () => {
  assert.equal(inCI({ CI: 'true' }), true);
  assert.equal(inCI({ CI: '1' }), true);
  assert.equal(inCI({ CI: 'false' }), false);
  assert.equal(inCI({}), false);
});
