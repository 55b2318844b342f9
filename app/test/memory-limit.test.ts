// The memory limit (MEMORY_LIMIT_BYTES, else the cgroup's), its gauge, and the embedded database's start-up check.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, loadConfig } from '../src/config.ts';
import { checkPgliteMemory, liftoffOnly, pgliteMemoryNeedBytes } from '../src/db/pglite-memory.ts';
import { memoryLimitBytes } from '../src/memory-limit.ts';
import { createMetrics } from '../src/metrics.ts';

const MiB = 1048576;

test('MEMORY_LIMIT_BYTES wins; else the cgroup limit; "unlimited" and "unknown" are no limit', () => {
  assert.equal(memoryLimitBytes(256 * MiB, 512 * MiB), 256 * MiB);
  assert.equal(memoryLimitBytes(undefined, 512 * MiB), 512 * MiB);
  assert.equal(memoryLimitBytes(undefined, 0), undefined); // libuv: unknown
  assert.equal(memoryLimitBytes(undefined, 2 ** 64), undefined); // cgroup v2 "max" as libuv reports it
  assert.equal(memoryLimitBytes(undefined, 2 ** 63 - 4096), undefined); // cgroup v1 unlimited
  const here = memoryLimitBytes(undefined); // this process: a number, or nothing
  assert.ok(here === undefined || (Number.isSafeInteger(here) && here > 0));
});

test('MEMORY_LIMIT_BYTES is read as bytes; a bad value names the variable', () => {
  assert.equal(loadConfig({}).memoryLimitBytes, undefined);
  assert.equal(loadConfig({ MEMORY_LIMIT_BYTES: '536870912' }).memoryLimitBytes, 536870912);
  for (const value of ['512m', '-1', '1000']) {
    assert.throws(
      () => loadConfig({ MEMORY_LIMIT_BYTES: value }),
      (error: unknown) =>
        error instanceof ConfigError &&
        error.problems.length === 1 &&
        /^MEMORY_LIMIT_BYTES: /.test(error.problems[0] ?? ''),
      value,
    );
  }
});

test('nodeapp_memory_limit_bytes: the limit when there is one, no series when there is none', async () => {
  const limited = createMetrics({ version: 'v', commit: 'c', memoryLimitBytes: 512 * MiB });
  assert.match(await limited.registry.metrics(), /^nodeapp_memory_limit_bytes 536870912$/m);
  const unlimited = createMetrics({ version: 'v', commit: 'c', memoryLimitBytes: undefined });
  assert.doesNotMatch(await unlimited.registry.metrics(), /nodeapp_memory_limit_bytes/);
});

test('the embedded database refuses a limit below its measured need, naming the need and the limit', () => {
  const need = pgliteMemoryNeedBytes('open', true);
  assert.doesNotThrow(() => checkPgliteMemory(undefined, 'open', true));
  assert.doesNotThrow(() => checkPgliteMemory(need, 'open', true));
  assert.throws(
    () => checkPgliteMemory(need - 1, 'open', true),
    new RegExp(`needs ${Math.round(need / MiB)} MiB of memory to open its database, but the memory limit is`),
  );
  // Without --liftoff-only, and to run initdb, the need is larger: a 512 MiB task can only open with the flag.
  assert.ok(pgliteMemoryNeedBytes('open', true) <= 512 * MiB);
  assert.ok(pgliteMemoryNeedBytes('open', false) > 512 * MiB);
  assert.ok(pgliteMemoryNeedBytes('initdb', true) > pgliteMemoryNeedBytes('open', true));
  assert.throws(
    () => checkPgliteMemory(512 * MiB, 'open', false),
    /without --liftoff-only.*start node with --liftoff-only/,
  );
  assert.equal(liftoffOnly(['--liftoff-only']), true);
  assert.equal(liftoffOnly(['--max-old-space-size=100']), false);
});
