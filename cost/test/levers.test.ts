// The estimator on the real app: dev and variants built through the config (never by editing templates),
// each synthesized once. The figures move the way the levers say they should.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { loadConfig } from '@nodeapp/infra/config/environments';
import type { EnvironmentConfig } from '@nodeapp/infra/config/types';
import { defaultUsage } from '../src/assumptions.ts';
import { type Estimate, estimateEnvironment } from '../src/estimate.ts';
import { leverOptions, withEnvironment } from '../src/levers.ts';
import { loadPriceTable } from '../src/price-table.ts';
import { synthesize } from '../src/synth.ts';

const config = loadConfig({});
const dev = config.environments.find((e) => e.name === 'dev') as EnvironmentConfig;

function estimateOf(env: EnvironmentConfig): Estimate {
  const stacks = synthesize(withEnvironment(config, env), 'dev').get('dev') ?? [];
  return estimateEnvironment('dev', stacks, loadPriceTable('us-east-1'), defaultUsage('dev'));
}

function linesMatching(e: Estimate, pattern: RegExp) {
  return e.lines.filter((l) => pattern.test(l.resource));
}

describe('cost levers on the synthesized dev environment', () => {
  let base: Estimate;
  let halfSpot: Estimate;
  let natPerAz: Estimate;
  let noDatabase: Estimate;
  let x86: Estimate;

  before(() => {
    base = estimateOf(dev);
    halfSpot = estimateOf({
      ...dev,
      service: { ...dev.service, fargateBase: 0, fargateWeight: 1, fargateSpotWeight: 1 },
    });
    natPerAz = estimateOf({ ...dev, network: { ...dev.network, egress: 'nat-per-az' } });
    noDatabase = estimateOf({ ...dev, database: 'none' });
    const x86Option = leverOptions(dev).find((o) => o.lever === 'CPU architecture' && o.option === 'X86_64');
    assert.ok(x86Option, 'dev runs ARM64, so the lever offers X86_64');
    x86 = estimateOf(x86Option.apply(dev));
  });

  it('prices what the templates contain, with nothing unknown left over', () => {
    assert.ok(base.total > 0);
    assert.deepEqual(base.unpriced, []);
    assert.equal(linesMatching(base, /App\w* tasks on FARGATE_SPOT/).length, 1, 'dev runs its app on Spot only');
    assert.equal(linesMatching(base, /App\w* tasks on FARGATE \(/).length, 0);
    // dev's monitoring runs on Spot too (monitoring.spot), the goal being dev at or under 70 USD a month (60 before the WAF in every environment: +9.80 USD).
    assert.equal(linesMatching(base, /Monitoring\/\w+ tasks on FARGATE_SPOT/).length, 2);
    assert.ok(base.total <= 70, `dev estimate ${base.total} USD is within the 70 USD goal`);
  });

  it('moving the Spot share up (50 % -> 100 %) lowers the estimate', () => {
    assert.equal(linesMatching(halfSpot, /App\w* tasks on FARGATE \(/).length, 1);
    assert.ok(base.total < halfSpot.total, `${base.total} < ${halfSpot.total}`);
  });

  it('a NAT gateway per AZ raises the estimate: 2 gateways and their addresses instead of a NAT instance', () => {
    const gateways = linesMatching(natPerAz, /^NAT gateways \(2\)$/);
    assert.equal(gateways.length, 1);
    assert.equal(gateways[0]?.quantity, 2 * 730);
    assert.equal(linesMatching(natPerAz, /NAT instance/).length, 0);
    assert.ok(natPerAz.total > base.total, `${natPerAz.total} > ${base.total}`);
  });

  it("database: 'none' removes the RDS lines and lowers the estimate", () => {
    assert.ok(linesMatching(base, /\bRDS\b/).length >= 2, 'dev has RDS instance and storage lines');
    assert.equal(linesMatching(noDatabase, /\bRDS\b/).length, 0);
    assert.ok(noDatabase.total < base.total);
  });

  it('Graviton (ARM64, the default) is cheaper than X86_64', () => {
    assert.ok(linesMatching(base, /ARM64/).length > 0);
    assert.equal(linesMatching(x86, /ARM64/).length, 0);
    assert.ok(base.total < x86.total, `${base.total} < ${x86.total}`);
  });
});
