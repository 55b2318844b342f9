// The CDK entry as the CLI runs it (context in CDK_CONTEXT_JSON): bad input exits 1 naming the field.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { REPO_ROOT } from '@nodeapp/contract';
import { testOutdir } from './helpers.ts';

const entry = fileURLToPath(new URL('../bin/nodeapp.ts', import.meta.url));

function runEntry(
  context: Record<string, unknown>,
  env: Record<string, string> = {},
): Promise<{ status: number | null; stderr: string }> {
  const child = spawn(process.execPath, [entry], {
    env: {
      ...process.env,
      ...env,
      CDK_CONTEXT_JSON: JSON.stringify(context),
      CDK_OUTDIR: testOutdir('nodeapp-entry-'),
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  return new Promise((resolve) => child.on('close', (status) => resolve({ status, stderr })));
}

describe('bin/nodeapp.ts', { concurrency: true }, () => {
  it('exits 1 naming an unknown -c env, without a stack trace', async () => {
    const result = await runEntry({ env: 'qa' });
    assert.equal(result.status, 1);
    assert.match(result.stderr, /-c env=qa: unknown environment \(expected one of dev, staging, prod\)/);
    assert.doesNotMatch(result.stderr, /\n\s+at /);
  });

  it('exits 1 naming a bad config field (an account from NODEAPP_ACCOUNT_PROD)', async () => {
    const result = await runEntry({ env: 'prod' }, { NODEAPP_ACCOUNT_PROD: '12345' });
    assert.equal(result.status, 1);
    assert.match(result.stderr, /prod\.account: must be a 12-digit AWS account id \(got "12345"\)/);
    assert.doesNotMatch(result.stderr, /\n\s+at /);
  });

  it('exits 1 on an invalid -c imageTag', async () => {
    const result = await runEntry({ env: 'dev', imageTag: 'bad tag!' });
    assert.equal(result.status, 1);
    assert.match(result.stderr, /-c imageTag=bad tag!: not a valid image tag/);
  });

  it('exits 1 on a bad contract (-c service=<folder>) with one line per bad field, without a stack trace', async () => {
    // A throwaway service folder below the repository root (contracts are read from there), in ignored cdk.out/.
    mkdirSync(join(REPO_ROOT, 'infra', 'cdk.out'), { recursive: true });
    const folder = mkdtempSync(join(REPO_ROOT, 'infra', 'cdk.out', 'bad-contract-'));
    after(() => rmSync(folder, { recursive: true, force: true }));
    writeFileSync(
      join(folder, 'service.json'),
      JSON.stringify({ name: 'Bad Name', image: { dockerfile: 'nope/Dockerfile' }, port: 80, health: {} }),
    );
    const result = await runEntry({ env: 'dev', service: relative(REPO_ROOT, folder) });
    assert.equal(result.status, 1);
    const lines = result.stderr.trim().split('\n');
    assert.match(lines[0] ?? '', /service\.json: invalid service contract$/);
    for (const field of ['name:', 'port:', 'health.readiness:', 'publicPaths:', 'smokeTests:']) {
      assert.ok(
        lines.some((l) => l.startsWith(`  - ${field}`)),
        `no line for ${field}: ${result.stderr}`,
      );
    }
    assert.doesNotMatch(result.stderr, /\n\s+at /);
  });

  it('exits 1 naming a malformed -c <name>ImageDigest, without a stack trace', async () => {
    const result = await runEntry({ env: 'dev', grafanaImageDigest: 'latest' });
    assert.equal(result.status, 1);
    assert.match(result.stderr, /-c grafanaImageDigest=latest: not an image digest/);
    assert.doesNotMatch(result.stderr, /\n\s+at /);
  });
});
