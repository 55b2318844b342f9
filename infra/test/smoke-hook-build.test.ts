// The smoke hook compiles wherever CDK stages it, also below infra/ (`npm run synth` writes infra/cdk.out), where tsc
// would find infra's tsconfig.json and refuse the file argument (TS5112). A fresh process: the compiled hook is cached
// per process.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const INFRA = fileURLToPath(new URL('..', import.meta.url));

test('compileSmokeHook works in a folder below infra/ (beside its tsconfig.json)', () => {
  mkdirSync(join(INFRA, 'cdk.out'), { recursive: true });
  const dir = mkdtempSync(join(INFRA, 'cdk.out', 'hook-build-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const run = spawnSync(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `const { compileSmokeHook } = await import(${JSON.stringify(join(INFRA, 'lib/constructs/smoke-hook.ts'))});
       compileSmokeHook(${JSON.stringify(dir)});`,
    ],
    { encoding: 'utf8' },
  );
  assert.equal(run.status, 0, run.stderr);
  assert.ok(existsSync(join(dir, 'index.js')));
});
