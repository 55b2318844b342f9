// The cost CLI end to end on a cdk.out folder (no synth), and its refusals of bad input.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { testOutdir } from '@nodeapp/infra/test-app';
import { readCdkOut } from '../src/cdk-out.ts';
import { devStacks } from './fixtures/dev-stacks.ts';

const CLI = new URL('../src/cli.ts', import.meta.url).pathname;

// Without the caller's COST_* overrides, so the defaults are what the test expects.
const cleanEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('COST_')));

function run(...args: string[]) {
  return spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: cleanEnv });
}

/** Writes the fixture stacks as `cdk synth` would: manifest.json + one template file per stack. */
function cdkOut(): string {
  const dir = testOutdir('cdk-out-');
  const artifacts: Record<string, unknown> = {};
  for (const stack of devStacks) {
    writeFileSync(join(dir, `${stack.name}.template.json`), JSON.stringify(stack.template));
    artifacts[stack.name] = {
      type: 'aws:cloudformation:stack',
      environment: 'aws://111111111111/us-east-1',
      properties: { templateFile: `${stack.name}.template.json`, stackName: stack.name },
    };
  }
  artifacts.Tree = { type: 'cdk:tree', properties: { file: 'tree.json' } };
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ version: '48.0.0', artifacts }));
  return dir;
}

describe('npm run cost', () => {
  it('reads a cdk.out folder and groups its stacks by environment', () => {
    const grouped = readCdkOut(cdkOut());
    assert.deepEqual([...grouped.keys()], ['dev']);
    assert.equal(grouped.get('dev')?.length, 4);
    assert.equal(grouped.get('dev')?.[0]?.region, 'us-east-1');
  });

  it('prints the table and the total for --env dev from --cdk-out, with usage overrides applied', () => {
    const result = run('--cdk-out', cdkOut(), '--env', 'dev', '--json', '--requests', '2000000');
    assert.equal(result.status, 0, result.stderr);
    const { estimates, perMillion } = JSON.parse(result.stdout);
    assert.equal(estimates.length, 1);
    assert.equal(perMillion.length, 1);
    assert.equal(perMillion[0].dominant, 'CloudFront requests');
    assert.equal(estimates[0].env, 'dev');
    assert.equal(estimates[0].usage.requests, 2_000_000);
    // Twice the fixture's requests: CloudFront requests 200 x 0.01 = 2.00 instead of 1.00.
    const requests = estimates[0].lines.find((l: { resource: string }) => l.resource.includes('HTTPS requests'));
    assert.equal(requests.monthly, 2);
    const markdown = run('--cdk-out', cdkOut(), '--env', 'dev');
    assert.equal(markdown.status, 0, markdown.stderr);
    assert.match(markdown.stdout, /### dev \(us-east-1\) — \$\d+\.\d\d per month/);
    assert.match(markdown.stdout, /\| \*\*total\*\* /);
    // The cost per million API requests, next to the monthly fixed cost.
    assert.match(markdown.stdout, /### Cost per million API requests/);
    assert.match(markdown.stdout, /\| dev +\| +\$\d+\.\d\d \| +\$\d+\.\d\d \| CloudFront requests +\|/);
  });

  it('exits 1 naming the flag, variable or folder that is wrong', () => {
    for (const [args, message] of [
      [['--requests', 'lots'], /--requests must be a non-negative number/],
      [['--env', 'qa'], /--env qa: expected one of dev, staging, prod/],
      [['--cdk-out', join(tmpdir(), 'no-such-cdk-out')], /no readable manifest\.json/],
      [['--bogus'], /Unknown option '--bogus'/],
    ] as [string[], RegExp][]) {
      const result = run(...args);
      assert.equal(result.status, 1, args.join(' '));
      assert.match(result.stderr, message);
      assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
    }
  });
});
