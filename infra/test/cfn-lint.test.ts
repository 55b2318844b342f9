// cfn-lint (scripts/cfn-lint.sh, infra/.cfnlintrc.yaml) on every template the app synthesizes: 0 errors, and each
// exception exact. cfn-lint is a Python tool the CI machine image carries; without it this test fails under CI=true
// and is skipped elsewhere with how to install it.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../config/environments.ts';
import { buildTestApp, testOutdir } from './helpers.ts';

const INFRA = fileURLToPath(new URL('..', import.meta.url));
const SCRIPT = fileURLToPath(new URL('../../scripts/cfn-lint.sh', import.meta.url));
const CONFIG = join(INFRA, '.cfnlintrc.yaml');
const OVERRIDE = JSON.parse(readFileSync(join(INFRA, 'cfn-lint-schema-override.json'), 'utf8')) as {
  Reasons: Record<string, string>;
  Patches: Record<string, { op: string; path: string }[]>;
};
const PATCHED_TYPES = Object.keys(OVERRIDE.Patches);

const installed = spawnSync('cfn-lint', ['--version'], { encoding: 'utf8' }).status === 0;
const missing = 'cfn-lint is not installed: pip install cfn-lint (the CI machine image has it)';
// Under CI the tool must be there: the test runs and fails on the check below instead of being skipped.
const skip = installed || process.env.CI === 'true' ? false : missing;

interface Finding {
  Rule: { Id: string };
  Message: string;
  Location: { Path: (string | number)[] };
}

function lint(template: object, withConfig: boolean): Finding[] {
  const dir = testOutdir('nodeapp-cfnlint-');
  const file = join(dir, 'probe.template.json');
  writeFileSync(file, JSON.stringify(template));
  const args = [...(withConfig ? ['--config-file', CONFIG] : []), '--format', 'json', '--', file];
  // cfn-lint also reads .cfnlintrc.yaml from its working folder, and the override file is named relative to it:
  // from infra/ with the config, from an empty folder without.
  const run = spawnSync('cfn-lint', args, { cwd: withConfig ? INFRA : dir, encoding: 'utf8' });
  return JSON.parse(run.stdout || '[]') as Finding[];
}

/** Every patched type with Tags, plus one property no schema has and a type that takes no Tags. */
const PROBE = {
  Resources: {
    ...Object.fromEntries(
      PATCHED_TYPES.map((type, i) => [`Tagged${i}`, { Type: type, Properties: { Tags: [{ Key: 'a', Value: 'b' }] } }]),
    ),
    Bogus: { Type: 'AWS::ElasticLoadBalancingV2::Listener', Properties: { NoSuchProperty: 1 } },
    Untaggable: {
      Type: 'AWS::ElasticLoadBalancingV2::ListenerCertificate',
      Properties: { Tags: [{ Key: 'a', Value: 'b' }] },
    },
  },
};

function tagsUnexpected(findings: Finding[]): string[] {
  return findings
    .filter((f) => f.Rule.Id === 'E3002' && f.Message.includes("'Tags'"))
    .map((f) => String(f.Location.Path[1]))
    .sort();
}

describe('cfn-lint', { skip }, () => {
  test('cfn-lint is installed', () => assert.ok(installed, missing));

  test('every synthesized template: 0 errors (scripts/cfn-lint.sh)', { timeout: 240_000 }, () => {
    const { app } = buildTestApp();
    const outdir = app.synth().directory;
    const run = spawnSync('bash', [SCRIPT, outdir], { encoding: 'utf8' });
    const output = `${run.stdout}${run.stderr}`;
    assert.doesNotMatch(output, /^E\d{4} /m, output);
    assert.equal(run.status, 0, output);
    assert.match(run.stdout, /cfn-lint 1\.\d+\.\d+ on 14 templates/);
  });

  test('the second service (examples/hello-express, prod): 0 errors', { timeout: 240_000 }, () => {
    const { app } = buildTestApp({ env: 'prod', context: { service: 'examples/hello-express' } });
    const outdir = app.synth().directory;
    const run = spawnSync('bash', [SCRIPT, outdir], { encoding: 'utf8' });
    const output = `${run.stdout}${run.stderr}`;
    assert.doesNotMatch(output, /^E\d{4} /m, output);
    assert.equal(run.status, 0, output);
    // The shared stacks and prod's Network, Service and Monitoring: no Data stack without a database.
    assert.match(run.stdout, /on 5 templates/);
  });

  test("cfn-lint's bundled schema still lacks Tags on each patched type (drop the patch once it has them)", () => {
    assert.deepEqual(tagsUnexpected(lint(PROBE, false)), [...PATCHED_TYPES.map((_, i) => `Tagged${i}`), 'Untaggable']);
  });

  test('the override admits exactly Tags on exactly the patched types', () => {
    const findings = lint(PROBE, true);
    assert.deepEqual(tagsUnexpected(findings), ['Untaggable']);
    assert.ok(
      findings.some((f) => f.Rule.Id === 'E3002' && f.Message.includes("'NoSuchProperty'")),
      'other properties of a patched type are still checked',
    );
  });

  test('every patched type has its reason and adds only the Tags property', () => {
    assert.deepEqual(PATCHED_TYPES.sort(), Object.keys(OVERRIDE.Reasons).sort());
    for (const [type, patches] of Object.entries(OVERRIDE.Patches)) {
      assert.deepEqual(
        patches.map((p) => `${p.op} ${p.path}`),
        ['add /properties/Tags'],
        type,
      );
      assert.match(OVERRIDE.Reasons[type] ?? '', /https:\/\//, `${type} cites its source`);
    }
  });

  test('the linted regions are the regions infra/config deploys to', () => {
    const listed = [...readFileSync(CONFIG, 'utf8').matchAll(/^ {2}- ([a-z]{2}-[a-z]+-\d)$/gm)].map((m) => m[1]);
    const config = loadConfig({});
    const used = new Set([config.shared.region, ...config.environments.map((e) => e.region)]);
    assert.deepEqual([...used].sort(), [...new Set(listed)].sort());
  });
});
