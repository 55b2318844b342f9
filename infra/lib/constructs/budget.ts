// A guard rail against overspending: a monthly AWS Budget for the environment's CostCenter tag, warning on the
// forecast (80 %) and on actual spend (100 %), and optionally a Cost Anomaly Detection monitor on the same tag.
import * as budgets from 'aws-cdk-lib/aws-budgets';
import * as ce from 'aws-cdk-lib/aws-ce';
import { Construct } from 'constructs';

export interface CostBudgetProps {
  /** Environment name, used in the budget's and monitor's names. */
  readonly environment: string;
  readonly monthlyUsd: number;
  /**
   * Value of the CostCenter tag the budget and monitor filter on. CostCenter must be activated as a cost
   * allocation tag in the Billing console, or the budget tracks nothing (see docs/finops.md).
   */
  readonly costCenter: string;
  /** The alarm e-mails; without any, the budget exists (visible in the console) but notifies nobody. */
  readonly emails: readonly string[];
  /**
   * Create an anomaly monitor + daily subscription for anomalies of at least this impact (USD).
   * @default - no monitor; none either while `emails` is empty
   */
  readonly anomalyThresholdUsd?: number;
}

export const FORECAST_PERCENT = 80;
export const ACTUAL_PERCENT = 100;

export class CostBudget extends Construct {
  readonly budget: budgets.CfnBudget;
  readonly anomalyMonitor?: ce.CfnAnomalyMonitor;

  constructor(scope: Construct, id: string, props: CostBudgetProps) {
    super(scope, id);
    if (!(props.monthlyUsd > 0)) throw new Error(`budget.monthlyUsd must be positive (got ${props.monthlyUsd})`);
    const subscribers = props.emails.map((address) => ({ subscriptionType: 'EMAIL', address }));
    const notify = (notificationType: 'FORECASTED' | 'ACTUAL', threshold: number) => ({
      notification: { notificationType, comparisonOperator: 'GREATER_THAN', threshold, thresholdType: 'PERCENTAGE' },
      subscribers,
    });

    this.budget = new budgets.CfnBudget(this, 'MonthlyCost', {
      budget: {
        budgetName: `nodeapp-${props.environment}-monthly`,
        budgetType: 'COST',
        timeUnit: 'MONTHLY',
        budgetLimit: { amount: props.monthlyUsd, unit: 'USD' },
        filterExpression: { tags: { key: 'CostCenter', values: [props.costCenter], matchOptions: ['EQUALS'] } },
      },
      notificationsWithSubscribers:
        subscribers.length > 0 ? [notify('FORECASTED', FORECAST_PERCENT), notify('ACTUAL', ACTUAL_PERCENT)] : undefined,
    });

    // Anomalies need someone to e-mail: without recipients (offline synth; a deploy refuses none) no monitor.
    if (props.anomalyThresholdUsd !== undefined && props.emails.length > 0) {
      this.anomalyMonitor = new ce.CfnAnomalyMonitor(this, 'AnomalyMonitor', {
        monitorName: `nodeapp-${props.environment}`,
        monitorType: 'CUSTOM',
        monitorSpecification: JSON.stringify({
          Tags: { Key: 'CostCenter', Values: [props.costCenter], MatchOptions: ['EQUALS'] },
        }),
      });
      new ce.CfnAnomalySubscription(this, 'AnomalySubscription', {
        subscriptionName: `nodeapp-${props.environment}-anomalies`,
        frequency: 'DAILY',
        monitorArnList: [this.anomalyMonitor.attrMonitorArn],
        subscribers: props.emails.map((address) => ({ type: 'EMAIL', address })),
        thresholdExpression: JSON.stringify({
          Dimensions: {
            Key: 'ANOMALY_TOTAL_IMPACT_ABSOLUTE',
            MatchOptions: ['GREATER_THAN_OR_EQUAL'],
            Values: [String(props.anomalyThresholdUsd)],
          },
        }),
      });
    }
  }
}
