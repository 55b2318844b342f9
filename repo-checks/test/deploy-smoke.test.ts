// scripts/deploy-smoke.sh (the deploy jobs' post-deploy check) against local HTTP servers on loopback.
import assert from 'node:assert/strict';
import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, test } from 'node:test';
import { skipUnless } from '@nodeapp/test-support';
import { curlRequirement, hasCommand, runScript } from '../src/run-script.ts';

const fast = { SMOKE_ATTEMPTS: '3', SMOKE_INTERVAL: '0.05', SMOKE_TIMEOUT: '5' };
const servers: { close(): void }[] = [];
after(() => {
  for (const s of servers) s.close();
});

async function serve(handler: RequestListener): Promise<string> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const json = (res: Parameters<RequestListener>[1], status: number, body: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
};

/** A healthy service; `override` may answer a path differently. */
function service(override?: (path: string) => [number, string] | undefined): RequestListener {
  return (req, res) => {
    const forced = override?.(req.url ?? '');
    if (forced) return json(res, forced[0], { message: forced[1] });
    if (req.url === '/health/ready') return json(res, 200, { status: 'ok' });
    if (req.url === '/api/hello') return json(res, 200, { message: 'hello' });
    if (req.url === '/')
      return res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>x</title>');
    return json(res, 404, { message: 'not found' });
  };
}

describe('deploy-smoke.sh', { skip: skipUnless(hasCommand('curl'), curlRequirement) }, () => {
  test('passes against a healthy service', async () => {
    const base = await serve(service());
    const r = await runScript('scripts/deploy-smoke.sh', [`${base}/`], fast);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /smoke test passed/);
  });

  test('retries while the new tasks are not ready yet', async () => {
    let readyCalls = 0;
    const base = await serve(
      service((p) => (p === '/health/ready' && ++readyCalls < 3 ? [503, 'draining'] : undefined)),
    );
    const r = await runScript('scripts/deploy-smoke.sh', [base], fast);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /waiting for .*\/health\/ready \(attempt 2\/3\): \/health\/ready: HTTP 503/);
  });

  test('fails with a clear message naming the endpoint and the last error', async () => {
    const base = await serve(service((p) => (p === '/api/hello' ? [500, 'boom'] : undefined)));
    const r = await runScript('scripts/deploy-smoke.sh', [base], fast);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /SMOKE FAILED: .*\/api\/hello did not pass after 3 attempts; last error: .*HTTP 500/);
  });

  test('fails when the page is not HTML', async () => {
    const base = await serve(service((p) => (p === '/' ? [200, 'not a page'] : undefined)));
    const r = await runScript('scripts/deploy-smoke.sh', [base], fast);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /content-type 'application\/json; charset=utf-8' \(want text\/html\)/);
  });

  test("sends another service's smoke requests from its contract (--service)", async () => {
    const seen: string[] = [];
    const base = await serve((req, res) => {
      seen.push(`${req.method} ${req.url}`);
      if (req.url === '/healthz') return json(res, 200, { status: 'ok' });
      if (req.url === '/') return res.writeHead(200, { 'content-type': 'text/plain' }).end('hello');
      return json(res, 404, { message: 'not found' });
    });
    const r = await runScript('scripts/deploy-smoke.sh', ['--service', 'examples/hello-express', base], fast);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.deepEqual(seen, ['GET /healthz', 'GET /']);
    // The guestbook's requests fail against it: the contract, not the script, names the paths.
    const guestbook = await runScript('scripts/deploy-smoke.sh', [base], fast);
    assert.equal(guestbook.code, 1);
    assert.match(guestbook.stderr, /\/health\/ready did not pass/);
  });

  test('exits 1 naming the problem of an unknown service folder', async () => {
    const r = await runScript('scripts/deploy-smoke.sh', ['--service', 'nope', 'http://127.0.0.1:9'], fast);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /service\.json: not found in nope\//);
  });

  test('rejects a missing or non-HTTP URL with usage', async () => {
    const r = await runScript('scripts/deploy-smoke.sh', ['nodeapp.example'], fast);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /usage: .*PUBLIC_URL/);
  });
});
