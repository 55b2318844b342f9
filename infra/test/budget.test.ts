// The Budgets guard rail: a monthly cost budget on the CostCenter tag with forecast 80 % and actual 100 %
// e-mail notifications, and the optional Cost Anomaly Detection monitor + subscription.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Tags } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { loadConfig } from '../config/environments.ts';
import { CostBudget, type CostBudgetProps } from '../lib/constructs/budget.ts';
import { fixtureStack } from './fixtures.ts';
import { buildTestApp, template, testRecipients } from './helpers.ts';

function synth(props: Partial<CostBudgetProps> = {}): Template {
  const stack = fixtureStack({ account: '111111111111', region: 'us-east-1' });
  Tags.of(stack).add('Project', 'nodeapp');
  new CostBudget(stack, 'Budget', {
    environment: 'prod',
    monthlyUsd: 500,
    costCenter: 'nodeapp-prod',
    emails: ['oncall@team.test', 'finops@team.test'],
    ...props,
  });
  return Template.fromStack(stack);
}

describe('CostBudget', () => {
  it('budgets the month for the CostCenter tag, notifying the e-mails on forecast 80 % and actual 100 %', () => {
    const t = synth();
    const subscribers = [
      { SubscriptionType: 'EMAIL', Address: 'oncall@team.test' },
      { SubscriptionType: 'EMAIL', Address: 'finops@team.test' },
    ];
    t.hasResourceProperties('AWS::Budgets::Budget', {
      Budget: {
        BudgetName: 'nodeapp-prod-monthly',
        BudgetType: 'COST',
        TimeUnit: 'MONTHLY',
        BudgetLimit: { Amount: 500, Unit: 'USD' },
        FilterExpression: { Tags: { Key: 'CostCenter', Values: ['nodeapp-prod'], MatchOptions: ['EQUALS'] } },
      },
      NotificationsWithSubscribers: [
        {
          Notification: { NotificationType: 'FORECASTED', ComparisonOperator: 'GREATER_THAN', Threshold: 80 },
          Subscribers: subscribers,
        },
        {
          Notification: { NotificationType: 'ACTUAL', ComparisonOperator: 'GREATER_THAN', Threshold: 100 },
          Subscribers: subscribers,
        },
      ],
      ResourceTags: Match.arrayWith([{ Key: 'Project', Value: 'nodeapp' }]),
    });
    t.resourceCountIs('AWS::CE::AnomalyMonitor', 0);
  });

  it('without e-mails keeps the budget and sends nothing', () => {
    const t = synth({ emails: [] });
    t.resourceCountIs('AWS::Budgets::Budget', 1);
    t.hasResourceProperties('AWS::Budgets::Budget', { NotificationsWithSubscribers: Match.absent() });
  });

  it('adds an anomaly monitor on the tag and a daily subscription above the threshold', () => {
    const t = synth({ anomalyThresholdUsd: 25 });
    const monitors = t.findResources('AWS::CE::AnomalyMonitor');
    const [monitorId, monitor] = Object.entries(monitors)[0] ?? [];
    assert.equal(monitor?.Properties.MonitorType, 'CUSTOM');
    assert.deepEqual(JSON.parse(monitor?.Properties.MonitorSpecification), {
      Tags: { Key: 'CostCenter', Values: ['nodeapp-prod'], MatchOptions: ['EQUALS'] },
    });
    const [subscription] = Object.values(t.findResources('AWS::CE::AnomalySubscription'));
    assert.equal(subscription?.Properties.Frequency, 'DAILY');
    assert.deepEqual(subscription?.Properties.MonitorArnList, [{ 'Fn::GetAtt': [monitorId, 'MonitorArn'] }]);
    assert.deepEqual(subscription?.Properties.Subscribers, [
      { Type: 'EMAIL', Address: 'oncall@team.test' },
      { Type: 'EMAIL', Address: 'finops@team.test' },
    ]);
    assert.deepEqual(JSON.parse(subscription?.Properties.ThresholdExpression).Dimensions.Values, ['25']);
    // Cost allocation tags reach these resources too (as ResourceTags).
    for (const resource of [monitor, subscription]) {
      assert.ok(resource?.Properties.ResourceTags.some((t: { Key: string }) => t.Key === 'Project'));
    }
  });

  it('refuses a non-positive amount; no anomaly monitor nobody would hear about', () => {
    assert.throws(() => synth({ monthlyUsd: 0 }), /monthlyUsd must be positive/);
    synth({ emails: [], anomalyThresholdUsd: 10 }).resourceCountIs('AWS::CE::AnomalyMonitor', 0);
  });
});

// Whole app: which config each environment's Service stack hands the CostBudget, and config validation (which the
// app runs before it builds any stack). The construct itself is tested alone above.
describe('budgets in the environments', () => {
  it("each environment's Service stack budgets its config amount on its CostCenter tag", () => {
    const stacks = buildTestApp({ config: loadConfig(testRecipients) });
    for (const [name, env] of stacks.environments) {
      const t = template(stacks, name, 'service');
      t.hasResourceProperties('AWS::Budgets::Budget', {
        Budget: {
          BudgetLimit: { Amount: env.config.budget.monthlyUsd, Unit: 'USD' },
          FilterExpression: { Tags: { Key: 'CostCenter', Values: [env.config.tags.costCenter] } },
        },
      });
      t.resourceCountIs('AWS::CE::AnomalyMonitor', env.config.budget.anomalyThresholdUsd === undefined ? 0 : 1);
    }
    assert.equal(stacks.environments.get('prod')?.config.budget.anomalyThresholdUsd, 50);
  });

  it('a bad budget value fails synth naming the field', () => {
    assert.throws(
      () => buildTestApp({ env: 'dev', overrides: { dev: (c) => ({ ...c, budget: { monthlyUsd: -5 } }) } }),
      /dev\.budget\.monthlyUsd: must be in \(0, 1000000\] USD/,
    );
    assert.throws(
      () =>
        buildTestApp({
          env: 'dev',
          overrides: { dev: (c) => ({ ...c, budget: { monthlyUsd: 60, anomalyThresholdUsd: 0 } }) },
        }),
      /dev\.budget\.anomalyThresholdUsd: must be at least 1 USD/,
    );
  });
});
