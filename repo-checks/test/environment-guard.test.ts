// scripts/environment-guard.ts (the production deploy's first step before AWS) against a loopback HTTP server
// standing in for api.github.com (GITHUB_API_URL), answering with payloads shaped as GitHub's REST reference documents
// them (test/fixtures/github-environment-production.json: a production environment guarded as docs/deploy.md says).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const script = fileURLToPath(new URL('../../scripts/environment-guard.ts', import.meta.url));
const recorded = JSON.parse(
  readFileSync(new URL('./fixtures/github-environment-production.json', import.meta.url), 'utf8'),
) as {
  environment: Record<string, unknown>;
  branchPolicies: Record<string, unknown>;
  permission: Record<string, unknown>;
};

/** What the stand-in answers: the path → [status, body]; every request is logged with its Authorization header. */
let answers: Record<string, [number, unknown]> = {};
const requests: { path: string; authorization?: string }[] = [];
const server = createServer((req: IncomingMessage, res) => {
  requests.push({ path: req.url ?? '', authorization: req.headers.authorization });
  const [status, body] = answers[req.url ?? ''] ?? [404, { message: 'Not Found' }];
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
});
let api = '';
before(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  api = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => server.close());

const ENV = '/repos/acme/shop/environments/production';
function github({
  environment = recorded.environment,
  policies = recorded.branchPolicies,
  permission = recorded.permission,
}: {
  environment?: unknown;
  policies?: unknown;
  permission?: unknown;
} = {}): void {
  answers = {
    [ENV]: [200, environment],
    [`${ENV}/deployment-branch-policies`]: [200, policies],
    '/repos/acme/shop/collaborators/maintainer/permission': [200, permission],
  };
}
const withEnvironment = (change: Record<string, unknown>) => ({ ...recorded.environment, ...change });
const noReviewers = withEnvironment({ protection_rules: [{ id: 3755, node_id: 'x', type: 'branch_policy' }] });

async function guard(env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  requests.length = 0;
  const { GITHUB_TOKEN: _t, GH_TOKEN: _g, ...inherited } = process.env;
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [script], {
      env: {
        ...inherited,
        GITHUB_API_URL: api,
        GITHUB_REPOSITORY: 'acme/shop',
        GITHUB_TOKEN: 'job-token',
        GITHUB_EVENT_NAME: 'push',
        GITHUB_ACTOR: 'maintainer',
        GITHUB_REF: 'refs/heads/main',
        ...env,
      },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

function assertFails(result: { code: number; stderr: string }, message: RegExp): void {
  assert.equal(result.code, 1, result.stderr);
  assert.match(result.stderr, message);
  assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
}

describe('environment-guard.ts', () => {
  test('passes a protected production (main only, required reviewers), reading it with the job token', async () => {
    github();
    const result = await guard();
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /production is guarded/);
    assert.deepEqual(
      requests.map((r) => r.path),
      [ENV, `${ENV}/deployment-branch-policies`],
    );
    assert.ok(requests.every((r) => r.authorization === 'Bearer job-token'));
  });

  test('fails when every branch may deploy (no deployment branch policy)', async () => {
    github({ environment: withEnvironment({ deployment_branch_policy: null }) });
    assertFails(await guard(), /environment production allows every branch/);
  });

  test('fails when every protected branch may deploy', async () => {
    github({
      environment: withEnvironment({
        deployment_branch_policy: { protected_branches: true, custom_branch_policies: false },
      }),
    });
    assertFails(await guard(), /allows every protected branch/);
  });

  test('fails when the custom rule also allows other branches or tags', async () => {
    github({
      policies: {
        total_count: 3,
        branch_policies: [
          { id: 1, name: 'main', type: 'branch' },
          { id: 2, name: 'release/*', type: 'branch' },
          { id: 3, name: 'v*', type: 'tag' },
        ],
      },
    });
    assertFails(await guard(), /also allows branch "release\/\*", tag "v\*": allow the branch "main" only/);
  });

  test('fails when the custom rule names main as a tag, not the branch', async () => {
    github({ policies: { total_count: 1, branch_policies: [{ id: 1, name: 'main', type: 'tag' }] } });
    assertFails(await guard(), /allows no "main" branch rule/);
  });

  test('fails without reviewers when the run is not a manual one', async () => {
    github({ environment: noReviewers });
    assertFails(
      await guard(),
      /no required reviewers, so only a manual run \(workflow_dispatch on main\) by a maintainer.*triggered by push/,
    );
  });

  test('passes without reviewers a manual run started by an admin or a maintainer', async () => {
    github({ environment: noReviewers });
    assert.equal((await guard({ GITHUB_EVENT_NAME: 'workflow_dispatch' })).code, 0);
    assert.ok(requests.some((r) => r.path === '/repos/acme/shop/collaborators/maintainer/permission'));
    github({ environment: noReviewers, permission: { permission: 'write', role_name: 'maintain' } });
    assert.equal((await guard({ GITHUB_EVENT_NAME: 'workflow_dispatch' })).code, 0);
  });

  test('fails without reviewers a manual run started by someone with write access only', async () => {
    github({ environment: noReviewers, permission: { permission: 'write', role_name: 'write' } });
    assertFails(
      await guard({ GITHUB_EVENT_NAME: 'workflow_dispatch' }),
      /actor maintainer has the role write, not admin or maintain/,
    );
  });

  test('an empty reviewers list is no gate', async () => {
    github({
      environment: withEnvironment({ protection_rules: [{ id: 1, type: 'required_reviewers', reviewers: [] }] }),
    });
    assertFails(await guard(), /no required reviewers/);
  });

  test('fails when the environment does not exist, or the run is not on main', async () => {
    answers = {};
    assertFails(await guard(), /environment production does not exist in acme\/shop/);
    github();
    assertFails(
      await guard({ GITHUB_REF: 'refs/heads/feature' }),
      /this run is on refs\/heads\/feature; production deploys only from refs\/heads\/main/,
    );
  });

  test('names a missing setting or an API failure in one line', async () => {
    github();
    assertFails(
      await guard({ GITHUB_TOKEN: '' }),
      /^::error title=Environment guard::GITHUB_TOKEN \(or GH_TOKEN\) is not set/,
    );
    assertFails(await guard({ GITHUB_REPOSITORY: 'acme' }), /GITHUB_REPOSITORY must be owner\/repo \(got "acme"\)/);
    answers = { [ENV]: [403, { message: 'Resource not accessible by integration' }] };
    assertFails(await guard(), /GET \/repos\/acme\/shop\/environments\/production: HTTP 403 .*Resource not accessible/);
    assertFails(
      await guard({ GITHUB_API_URL: 'http://127.0.0.1:9' }),
      /GET http:\/\/127\.0\.0\.1:9\/repos\/acme\/shop\/environments\/production: fetch failed/,
    );
  });
});
