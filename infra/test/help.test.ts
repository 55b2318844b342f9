// Every command answers --help (exit 0, usage and options) and a wrong argument with one line (exit 1), and a
// missing credential is one line, not the CDK CLI's stack trace.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const COMMANDS = {
  up: 'infra/bin/up.ts',
  down: 'infra/bin/down.ts',
  preflight: 'infra/bin/preflight.ts',
  deploy: 'infra/bin/deploy.ts',
  'deploy-shared': 'infra/bin/deploy-shared.ts',
  bootstrap: 'infra/bin/bootstrap.ts',
  cost: 'cost/src/cli.ts',
};

async function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

function run(script: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(AWS_|NODEAPP_)/.test(k)));
  return spawnSync(process.execPath, [script, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...clean, ...env },
  });
}

describe('--help on every command', () => {
  for (const [name, script] of Object.entries(COMMANDS)) {
    it(`${name} --help: exit 0, usage and options`, () => {
      const result = run(script, ['--help']);
      assert.equal(result.status, 0, result.stderr);
      assert.match(result.stdout, new RegExp(`^usage: npm run ${name} `, 'im'));
      assert.match(result.stdout, /--/);
    });
  }

  for (const [name, args, pattern] of [
    ['up', ['--env', 'dev', '--bogus'], /--bogus/],
    ['down', ['--env', 'qa'], /--env must be one of dev, staging, prod \(got qa\)/],
    ['preflight', ['--bogus'], /usage: npm run preflight .*\(got --bogus\)/],
    ['bootstrap', ['--env', 'qa'], /npm run bootstrap needs --env/],
  ] as const) {
    it(`${name} ${args.join(' ')}: exit 1 with one line naming it`, () => {
      const result = run(COMMANDS[name], [...args]);
      assert.equal(result.status, 1);
      const out = `${result.stdout}${result.stderr}`.trim();
      assert.equal(out.split('\n').length, 1, out);
      assert.match(out, pattern);
    });
  }

  for (const [name, args] of [
    ['bootstrap', ['--env', 'shared']],
    ['deploy-shared', []],
  ] as const) {
    it(`${name} without credentials: one line, no stack trace, before cdk runs`, async () => {
      const result = run(COMMANDS[name], [...args], {
        NODEAPP_ACCOUNT_SHARED: '123412341234',
        AWS_ENDPOINT_URL: `http://127.0.0.1:${await closedPort()}`,
        AWS_CONFIG_FILE: '/nonexistent',
        AWS_SHARED_CREDENTIALS_FILE: '/nonexistent',
        AWS_EC2_METADATA_DISABLED: 'true',
        AWS_MAX_ATTEMPTS: '1',
      });
      assert.equal(result.status, 1);
      assert.match(result.stderr, /^no usable AWS credentials \(.+\): sign in/);
      assert.doesNotMatch(result.stderr, /\n\s+at /);
    });
  }
});
