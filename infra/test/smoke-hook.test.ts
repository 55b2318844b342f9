import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { loadServiceContract } from '@nodeapp/contract';
import type { SmokeRequest, smokeHook } from '../lambda/smoke-hook/index.ts';
import * as source from '../lambda/smoke-hook/index.ts';
import { compileSmokeHook, hookRequests } from '../lib/constructs/smoke-hook.ts';

// A stand-in for the new release behind the test listener: healthy, or answering 500 on its API.
let broken = false;
let seen: string[] = [];
let server: Server;
let url: string;
const fast = { attempts: 2, retryDelayMs: 10, timeoutMs: 2000 };
const requests: SmokeRequest[] = [
  { path: '/health/ready', method: 'GET', status: 200, contentType: 'application/json' },
  { path: '/api/hello', method: 'GET', status: 200, contentType: 'application/json' },
];

before(async () => {
  server = createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    const status = broken && req.url?.startsWith('/api/') ? 500 : 200;
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => server.close());

function withEnv<T>(env: Record<string, string | undefined>, run: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete process.env[k];
  return run().finally(() => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });
}

const event = { targetServiceRevisionArn: 'arn:aws:ecs:us-east-1:123456789012:service-revision/c/app/2' };

/** The source and what the construct ships (compiled by tsc), each against the same server. */
function suite(name: string, load: () => Promise<{ smokeHook: typeof smokeHook }>) {
  describe(name, () => {
    it('answers SUCCEEDED when every smoke request matches (ECS then shifts production traffic)', async () => {
      seen = [];
      broken = false;
      const { smokeHook: hook } = await load();
      const env = { TEST_LISTENER_URL: url, SMOKE_REQUESTS: JSON.stringify(requests) };
      assert.deepEqual(await withEnv(env, () => hook(event, fast)), { hookStatus: 'SUCCEEDED' });
      assert.deepEqual(seen, ['GET /health/ready', 'GET /api/hello']);
    });

    it('answers FAILED when the new release answers 5xx (ECS rolls back), after retrying', async () => {
      seen = [];
      broken = true;
      const { smokeHook: hook } = await load();
      const env = { TEST_LISTENER_URL: url, SMOKE_REQUESTS: JSON.stringify(requests) };
      assert.deepEqual(await withEnv(env, () => hook(event, fast)), { hookStatus: 'FAILED' });
      assert.deepEqual(seen, ['GET /health/ready', 'GET /api/hello', 'GET /api/hello']);
    });

    it('answers FAILED when the test listener does not answer, or the hook is misconfigured', async () => {
      const { smokeHook: hook } = await load();
      const closed = { TEST_LISTENER_URL: 'http://127.0.0.1:9', SMOKE_REQUESTS: JSON.stringify(requests) };
      assert.deepEqual(await withEnv(closed, () => hook(event, fast)), { hookStatus: 'FAILED' });
      const noUrl = { TEST_LISTENER_URL: undefined, SMOKE_REQUESTS: JSON.stringify(requests) };
      assert.deepEqual(await withEnv(noUrl, () => hook(event, fast)), { hookStatus: 'FAILED' });
      const noRequests = { TEST_LISTENER_URL: url, SMOKE_REQUESTS: '[]' };
      assert.deepEqual(await withEnv(noRequests, () => hook(event, fast)), { hookStatus: 'FAILED' });
    });
  });
}

suite('smoke hook (TypeScript source)', async () => source);

let bundle: string;
suite('smoke hook (the compiled asset the construct ships)', async () => {
  bundle ??= mkdtempSync(join(tmpdir(), 'smoke-hook-'));
  compileSmokeHook(bundle);
  return import(pathToFileURL(join(bundle, 'index.js')).href);
});
after(() => bundle && rmSync(bundle, { recursive: true, force: true }));

describe('smoke hook settings', () => {
  it('names the bad variable in one line', () => {
    assert.throws(() => source.settingsFromEnv({ SMOKE_REQUESTS: '[]' }), /^Error: TEST_LISTENER_URL must be/);
    assert.throws(
      () => source.settingsFromEnv({ TEST_LISTENER_URL: url, SMOKE_REQUESTS: '{' }),
      /^Error: SMOKE_REQUESTS must be/,
    );
  });

  // `npm run synth` bundles into infra/cdk.out, below infra/tsconfig.json (tsc refuses file arguments there unless
  // told to ignore it). A fresh process: compileSmokeHook compiles once per process.
  it('compiles where synth bundles: a folder under infra/, beside its tsconfig.json', () => {
    const infraDir = fileURLToPath(new URL('../', import.meta.url));
    const dir = mkdtempSync(join(infraDir, '.smoke-hook-test-'));
    try {
      execFileSync(
        process.execPath,
        ['-e', "import('./lib/constructs/smoke-hook.ts').then((m) => m.compileSmokeHook(process.argv[1]))", dir],
        { cwd: infraDir, stdio: 'pipe' },
      );
      assert.match(readFileSync(join(dir, 'index.js'), 'utf8'), /export const handler = /);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("sends the contract's smoke requests that need no edge, and ships as an ES module", () => {
    const contract = loadServiceContract();
    const expected = contract.smokeTests.filter((t) => !t.edgeOnly).map((t) => t.path);
    assert.ok(expected.length > 0);
    assert.deepEqual(
      hookRequests(contract.smokeTests).map((r) => r.path),
      expected,
    );
    const dir = mkdtempSync(join(tmpdir(), 'smoke-hook-'));
    try {
      compileSmokeHook(dir);
      assert.deepEqual(JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')), { type: 'module' });
    } finally {
      rmSync(dir, { recursive: true });
    }
  });
});
