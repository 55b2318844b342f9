// Every environment synthesizes with cdk-nag AwsSolutions on and no unacknowledged finding; every
// acknowledgement is scoped to a resource (never a stack), carries a reason and is listed in infra/README.md.
// The app is built by buildApp, the same call as bin/nodeapp.ts, so the Monitoring stacks are checked too.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { Stack } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { listAcknowledgements } from '../lib/nag.ts';
import { buildTestApp } from './helpers.ts';

interface Report {
  pluginReports: { pluginName: string; violations: { ruleName: string; severity: string }[] }[];
}

/** Findings of the AwsSolutions pack still open in the synthesized validation report. */
function openFindings(outdir: string): string[] {
  const report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')) as Report;
  return report.pluginReports
    .filter((r) => r.pluginName.includes('AwsSolutions'))
    .flatMap((r) => r.violations.filter((v) => v.severity === 'error').map((v) => v.ruleName));
}

interface ReadmeRow {
  readonly id: string;
  /** Construct path with Nodeapp-<env>- for any environment; a trailing … makes it a prefix. */
  readonly construct: string;
  readonly prefix: boolean;
}

/** Rows of the README's acknowledgement table: | `id` | construct (optional note) | reason |. */
function readmeAcknowledgements(readme: string): ReadmeRow[] {
  return [...readme.matchAll(/^\| `(AwsSolutions-[^`]+)` \| ([^|(]+?)(?: \([^)]*\))? \|/gm)].map(([, id, cell]) => {
    const construct = (cell ?? '').trim();
    return { id: id ?? '', construct: construct.replace(/…$/, ''), prefix: construct.endsWith('…') };
  });
}

describe('cdk-nag AwsSolutions', () => {
  const stacks = buildTestApp({ nag: true });

  it('passes for every environment and the shared stacks', () => {
    assert.deepEqual([...stacks.environments.keys()], ['dev', 'staging', 'prod']);
    // Throws "Validation failed" with the report when any finding is not acknowledged.
    const assembly = stacks.app.synth();
    const names = assembly.stacks.map((s) => s.stackName);
    // Shared + Network, Data, Service, Monitoring per environment: everything bin/nodeapp.ts synthesizes.
    assert.equal(names.length, 2 + 3 * 4);
    for (const env of ['dev', 'staging', 'prod']) assert.ok(names.includes(`Nodeapp-${env}-Monitoring`), env);
    assert.deepEqual(openFindings(stacks.app.outdir), []);
  });

  it('scopes every acknowledgement to a resource inside a stack, with a reason', () => {
    const acks = listAcknowledgements(stacks.app).filter((a) => a.id.includes('AwsSolutions'));
    assert.ok(acks.length > 0);
    for (const ack of acks) {
      assert.ok(ack.path.split('/').length > 1, `${ack.id} is on a stack: ${ack.path}`);
      assert.ok(ack.reason.length >= 30, `${ack.id} at ${ack.path} needs a real reason`);
      assert.match(ack.id, /AwsSolutions-[A-Z]+\d+/);
    }
  });

  it('lists every acknowledged finding in infra/README.md, with its construct', () => {
    const rows = readmeAcknowledgements(readFileSync(new URL('../README.md', import.meta.url), 'utf8'));
    const acks = listAcknowledgements(stacks.app).filter((a) => a.id.includes('AwsSolutions'));
    const missing = new Set<string>();
    for (const ack of acks) {
      const id = ack.id
        .replace(/^(Annotation::)?(AwsSolutions::)?/, '')
        .replaceAll('111111111111', '<account>')
        .replaceAll('us-east-1', '<region>')
        .replace(/(nodeapp|Nodeapp)-(dev|staging|prod)\b/g, '$1-<env>');
      const path = ack.path.replace(/^Nodeapp-(dev|staging|prod)-/, 'Nodeapp-<env>-');
      // A row names the acknowledged construct or its parent (e.g. the NAT instance for its Resource child).
      const listed = rows.some(
        (row) =>
          row.id === id &&
          (path === row.construct || path.startsWith(row.prefix ? row.construct : `${row.construct}/`)),
      );
      if (!listed) missing.add(`| \`${id}\` | ${path} |`);
    }
    assert.deepEqual([...missing], [], 'README acknowledgement rows missing');
  });

  it('passes for the prod variant on EC2 capacity with the Site24x7 sidecar', () => {
    const variant = buildTestApp({
      env: 'prod',
      nag: true,
      overrides: { prod: (c) => ({ ...c, capacity: 'ec2', site24x7: { ...c.site24x7, enabled: true } }) },
    });
    variant.app.synth();
    assert.deepEqual(openFindings(variant.app.outdir), []);
  });

  it('passes for the second service (examples/hello-express: no database, no static site, no metrics)', () => {
    const second = buildTestApp({ env: 'prod', nag: true, context: { service: 'examples/hello-express' } });
    second.app.synth();
    assert.deepEqual(openFindings(second.app.outdir), []);
  });

  it('fails synth on an unacknowledged finding', () => {
    const broken = buildTestApp({ env: 'dev', nag: true });
    const stack = broken.environments.get('dev')?.service as Stack;
    new s3.Bucket(stack, 'UnencryptedInsecureBucket');
    assert.throws(() => broken.app.synth(), /Validation failed/);
    assert.ok(openFindings(broken.app.outdir).some((id) => id.includes('AwsSolutions-S10')));
  });
});
