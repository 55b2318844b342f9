// Units of the estimator: AWS cron replay, capacity provider split, price table validation, usage overrides.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { testOutdir } from '@nodeapp/infra/test-app';
import { usageOverrides } from '../src/assumptions.ts';
import { splitTasks } from '../src/extract/services.ts';
import { sameSizeOtherArch } from '../src/levers.ts';
import { loadPriceTable } from '../src/price-table.ts';
import { awsCronToStandard, weeklyTaskCounts } from '../src/schedule.ts';

describe('scheduled scaling replay', () => {
  it('converts AWS cron (year field, 1-7 = SUN-SAT) to five standard fields', () => {
    assert.equal(awsCronToStandard('cron(0 20 ? * MON-FRI *)'), '0 20 ? * MON-FRI');
    assert.equal(awsCronToStandard('cron(30 7 ? * 2-6 *)'), '30 7 ? * 1-5');
    assert.throws(() => awsCronToStandard('rate(5 minutes)'), /only cron/);
  });

  it('counts 13 h x 5 days of 168 h for a weekday 07:00-20:00 schedule', () => {
    const shares = weeklyTaskCounts({ min: 1, max: 2 }, [
      { schedule: 'cron(0 20 ? * MON-FRI *)', min: 0, max: 0 },
      { schedule: 'cron(0 7 ? * MON-FRI *)', min: 1, max: 2 },
    ]);
    assert.deepEqual(shares, [
      { tasks: 0, share: 103 / 168 },
      { tasks: 1, share: 65 / 168 },
    ]);
  });

  it('keeps the minimum all week without scheduled actions', () => {
    assert.deepEqual(weeklyTaskCounts({ min: 3, max: 12 }, []), [{ tasks: 3, share: 1 }]);
  });
});

describe('capacity provider split', () => {
  it('places the base on FARGATE, then the rest by weight', () => {
    const strategy = [
      { capacity: 'FARGATE' as const, base: 2, weight: 1 },
      { capacity: 'FARGATE_SPOT' as const, base: 0, weight: 3 },
    ];
    assert.deepEqual(splitTasks(3, strategy), { FARGATE: 2.25, FARGATE_SPOT: 0.75, EC2: 0 });
    assert.deepEqual(splitTasks(1, strategy), { FARGATE: 1, FARGATE_SPOT: 0, EC2: 0 });
  });
});

describe('price table', () => {
  it('fails naming the region or the key it lacks', () => {
    assert.throws(() => loadPriceTable('eu-north-9'), /no prices for region "eu-north-9"/);
    assert.throws(() => loadPriceTable('us-east-1').usd('rds.postgres.db.x9.huge.hour'), /no entry "rds\.postgres/);
  });

  it('rejects an entry without a pricing page, naming it', () => {
    const file = JSON.parse(readFileSync(new URL('../src/prices.json', import.meta.url), 'utf8'));
    file.regions['us-east-1']['alb.hour'].source = 'somewhere';
    const path = join(testOutdir('prices-'), 'prices.json');
    writeFileSync(path, JSON.stringify(file));
    assert.throws(() => loadPriceTable('us-east-1', { file: path }), /regions\.us-east-1\["alb\.hour"\]\.source/);
  });

  it('dates every price and names its source', () => {
    const table = loadPriceTable('us-east-1');
    assert.match(table.asOf, /^\d{4}-\d{2}-\d{2}$/);
    assert.match(table.entry('fargate.linux.arm64.vcpu-hour').source, /^https:\/\/aws\.amazon\.com\/fargate\/pricing/);
    assert.equal(table.spotDiscount, 0.7);
    assert.equal(loadPriceTable('us-east-1', { spotDiscount: 0.5 }).spotDiscount, 0.5);
  });
});

describe('usage overrides', () => {
  it('takes COST_* variables, flags win, and a bad value names its source', () => {
    assert.deepEqual(usageOverrides({ requests: '2e6' }, { COST_REQUESTS: '5', COST_LOG_GB: '3' }), {
      requests: 2_000_000,
      containerLogGb: 3,
    });
    assert.throws(() => usageOverrides({ 'egress-gb': 'lots' }, {}), /--egress-gb must be a non-negative number/);
    assert.throws(() => usageOverrides({}, { COST_S3_GB: '-1' }), /COST_S3_GB must be/);
  });
});

describe('architecture twins for the Graviton lever', () => {
  it('maps Graviton instance types to their x86 twin of the same size and back', () => {
    assert.equal(sameSizeOtherArch('t4g.small'), 't3.small');
    assert.equal(sameSizeOtherArch('t3.medium'), 't4g.medium');
    assert.equal(sameSizeOtherArch('m7g.large'), 'm7i.large');
    assert.throws(() => sameSizeOtherArch('x1e.large'), /no architecture twin known for x1e\.large/);
  });
});
