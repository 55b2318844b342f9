// The bench starts the service as the image does: its ENV and its CMD's node flags, read from the Dockerfile.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { imageRuntime } from '../../bench/image.ts';
import { appDir } from '../support/server-process.ts';

test('ENV of the final stage and the stages it is built on; build-argument values left out; CMD flags', () => {
  const runtime = imageRuntime(
    [
      'ARG BASE=debian',
      'FROM node AS build',
      'ENV BUILD_ONLY=1',
      'FROM $BASE AS runtime',
      'ENV FROM_BASE=yes',
      'FROM runtime',
      'ARG VERSION=dev',
      'ENV A=1 \\',
      '  B="two words" \\',
      '  VERSION=$VERSION',
      'ENV FROM_BASE=overridden',
      'CMD ["node", "--flag-one", "--flag-two=2", "dist/server.js"]',
    ].join('\n'),
  );
  assert.deepEqual(runtime, {
    env: { FROM_BASE: 'overridden', A: '1', B: 'two words' },
    nodeFlags: ['--flag-one', '--flag-two=2'],
  });
});

test('a CMD that does not start node is refused, naming it', () => {
  assert.throws(() => imageRuntime('FROM x\nCMD ["npm", "start"]'), /CMD is not \["node", …, script\].*npm/);
});

test("app/Dockerfile: the service's image tunes glibc's allocator and V8 as BENCHMARKS.md measured", () => {
  const runtime = imageRuntime(readFileSync(join(appDir, 'Dockerfile'), 'utf8'));
  assert.equal(runtime.env.MALLOC_ARENA_MAX, '2');
  assert.equal(runtime.env.NODE_ENV, 'production');
  assert.deepEqual(runtime.nodeFlags, ['--liftoff-only']);
});
