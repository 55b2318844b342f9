// docs/finops.md "What a destroy leaves behind": the table matches what the stacks retain (RDS removal policy
// SNAPSHOT, KMS keys with DeletionPolicy Retain), the config's allocated storage and the price table.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { buildTestApp } from '@nodeapp/infra/test-app';
import type { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { loadPriceTable } from '../src/price-table.ts';

const finops = readFileSync(new URL('../../docs/finops.md', import.meta.url), 'utf8');
const marker = '**What a destroy leaves behind**';
const doc = finops.slice(Math.max(0, finops.indexOf(marker)));
const prices = loadPriceTable('us-east-1');
const stacks = buildTestApp();

function retained(env: string): { snapshots: number; keys: number } {
  const e = stacks.environments.get(env);
  assert.ok(e, env);
  const all: Stack[] = [e.network, e.service, ...(e.data ? [e.data] : [])];
  const monitoring = stacks.monitoring.get(env);
  if (monitoring) all.push(monitoring);
  let snapshots = 0;
  let keys = 0;
  for (const stack of all) {
    const t = Template.fromStack(stack);
    snapshots += Object.keys(t.findResources('AWS::RDS::DBInstance', { DeletionPolicy: 'Snapshot' })).length;
    keys += Object.keys(t.findResources('AWS::KMS::Key', { DeletionPolicy: 'Retain' })).length;
  }
  return { snapshots, keys };
}

const usd = (n: number): string => `${n.toFixed(2)} USD`;

describe('docs/finops.md: cost after a destroy', () => {
  it('lists each environment that keeps a final snapshot, with its snapshot, key and total figures', () => {
    const perGbMonth = prices.usd('rds.snapshot.gb-month');
    const perKey = prices.usd('kms.key-month');
    assert.ok(finops.includes(marker), 'the section exists');
    assert.ok(doc.includes(`${perGbMonth} USD per GB-month`), 'snapshot price from prices.json');
    let rows = 0;
    for (const e of stacks.environments.values()) {
      const name = e.config.name;
      const { snapshots, keys } = retained(name);
      const row = new RegExp(`^\\s*\\| ${name}\\s+\\|.*$`, 'm').exec(doc)?.[0];
      if (!e.config.rds.finalSnapshot) {
        assert.equal(snapshots, 0, `${name} leaves no snapshot`);
        assert.equal(row, undefined, `${name} has no row`);
        continue;
      }
      assert.equal(snapshots, 1, `${name} database removal policy SNAPSHOT`);
      assert.ok(row, `${name} row`);
      const gib = e.config.rds.allocatedStorageGiB;
      const cells = row.split('|').map((c) => c.trim());
      assert.equal(cells[2], `${gib} GiB → ${usd(gib * perGbMonth)}`, `${name} snapshot`);
      assert.equal(cells[3], `${keys} → ${usd(keys * perKey)}`, `${name} keys`);
      assert.equal(cells[4], usd(gib * perGbMonth + keys * perKey), `${name} total`);
      rows++;
    }
    assert.equal(rows, 2, 'staging and prod');
  });
});
