// Observability and governance lines: CloudWatch Logs (ingestion + storage by retention), alarms, dashboards,
// Container Insights, Budgets and Cost Anomaly Detection.
import { addPriced, type Context, ref } from '../model.ts';
import { type Found, list, num, obj, str } from '../template.ts';
import type { ServiceProfile } from './services.ts';

const DAYS_PER_MONTH = 365 / 12;
// "Never expire" log groups: count one year of accumulation.
const NEVER_EXPIRE_DAYS = 365;

function key(f: Found): string {
  return `${f.stack.name}/${f.id}`;
}

function logLines(ctx: Context, name: string, groups: Found[], gbPerMonth: number): void {
  if (groups.length === 0 || gbPerMonth === 0) return;
  const { prices } = ctx;
  addPriced(ctx, groups, {
    group: 'observability',
    resource: `${name} ingestion (${groups.length} log group${groups.length === 1 ? '' : 's'})`,
    quantity: gbPerMonth,
    unit: 'GB',
    priceKey: 'cloudwatch.logs.ingest-gb',
  });
  // Steady state: each group holds retention-days' worth of its share of the volume (stored uncompressed: conservative).
  const stored = groups.reduce((sum, g) => {
    const days = num(g.props.RetentionInDays) ?? NEVER_EXPIRE_DAYS;
    return sum + (gbPerMonth / groups.length) * (days / DAYS_PER_MONTH);
  }, 0);
  const retention = [...new Set(groups.map((g) => num(g.props.RetentionInDays) ?? 'never expire'))].join('/');
  ctx.add(
    {
      group: 'observability',
      resource: `${name} storage (retention ${retention} days)`,
      quantity: stored,
      unit: 'GB-month',
      unitPrice: prices.usd('cloudwatch.logs.storage-gb-month'),
      priceKey: 'cloudwatch.logs.storage-gb-month',
      from: groups.map(ref),
    },
    [],
  );
}

function containerInsights(ctx: Context, profiles: ServiceProfile[]): void {
  const { inv, prices } = ctx;
  for (const cluster of inv.ofType('AWS::ECS::Cluster')) {
    const setting = list(cluster.props.ClusterSettings)
      .map(obj)
      .find((s) => s.Name === 'containerInsights');
    const level = str(setting?.Value) ?? 'disabled';
    if (level === 'disabled') continue;
    const onCluster = profiles.filter((p) => p.cluster && key(p.cluster) === key(cluster));
    const tasks = onCluster.reduce((sum, p) => sum + p.totalTasks, 0);
    // Metrics are published (and billed, prorated by the hour) only while a service has running tasks.
    const serviceMonths = onCluster.reduce((sum, p) => sum + Math.min(1, p.totalTasks), 0);
    let metrics =
      prices.value('container-insights.standard.metrics-per-cluster') +
      serviceMonths * prices.value('container-insights.standard.metrics-per-service');
    if (level === 'enhanced') metrics += tasks * prices.value('container-insights.enhanced.metrics-per-task');
    ctx.add(
      {
        group: 'observability',
        resource: `Container Insights (${level}) metrics: ${onCluster.length} services, ${tasks.toFixed(2)} avg tasks`,
        quantity: metrics,
        unit: 'metric-month',
        unitPrice: prices.usd('cloudwatch.custom-metric-month'),
        priceKey: 'cloudwatch.custom-metric-month',
        from: [ref(cluster)],
      },
      [],
    );
    ctx.add(
      {
        group: 'observability',
        resource: `Container Insights (${level}) performance log events`,
        quantity: tasks * prices.value('container-insights.performance-logs.gb-per-task-month'),
        unit: 'GB',
        unitPrice: prices.usd('cloudwatch.logs.ingest-gb'),
        priceKey: 'cloudwatch.logs.ingest-gb',
        from: [ref(cluster)],
      },
      [],
    );
  }
}

export function observabilityLines(ctx: Context, profiles: ServiceProfile[]): void {
  const { inv, usage } = ctx;
  const all = inv.ofType('AWS::Logs::LogGroup');
  const containerGroups = [...new Map(profiles.flatMap((p) => p.logGroups).map((g) => [key(g), g])).values()];
  const flowGroups = inv
    .ofType('AWS::EC2::FlowLog')
    .filter((f) => (str(f.props.LogDestinationType) ?? 'cloud-watch-logs') === 'cloud-watch-logs')
    .map(
      (f) =>
        inv.resolve(f.stack, f.props.LogGroupName) ?? all.find((g) => g.props.LogGroupName === f.props.LogGroupName),
    )
    .filter((g): g is Found => g !== undefined);
  logLines(ctx, 'Container logs', containerGroups, usage.containerLogGb);
  logLines(ctx, 'VPC flow logs', flowGroups, usage.flowLogGb);
  const quiet = all.filter((g) => ![...containerGroups, ...flowGroups].some((c) => key(c) === key(g)));
  if (quiet.length > 0) {
    const groups = quiet.length === 1 ? 'log group' : 'log groups';
    ctx.note(`${quiet.length} other ${groups} (ECS Exec sessions, custom resources...) assumed to ingest ~0 GB`);
  }
  ctx.covered([...all, ...inv.ofType('AWS::EC2::FlowLog')]);

  const alarms = inv.ofType('AWS::CloudWatch::Alarm');
  // Metric-math alarms are billed per metric they read.
  const alarmMetrics = alarms.reduce(
    (sum, a) => sum + Math.max(list(a.props.Metrics).filter((m) => obj(m).MetricStat).length, 1),
    0,
  );
  if (alarms.length > 0) {
    addPriced(ctx, alarms, {
      group: 'observability',
      resource: `CloudWatch alarms (${alarms.length})`,
      quantity: alarmMetrics,
      unit: 'alarm metric-month',
      priceKey: 'cloudwatch.alarm-metric-month',
    });
  }
  const composite = inv.ofType('AWS::CloudWatch::CompositeAlarm');
  if (composite.length > 0) {
    addPriced(ctx, composite, {
      group: 'observability',
      resource: `CloudWatch composite alarms (${composite.length})`,
      quantity: composite.length,
      unit: 'alarm-month',
      priceKey: 'cloudwatch.composite-alarm-month',
    });
  }
  const dashboards = inv.ofType('AWS::CloudWatch::Dashboard');
  if (dashboards.length > 0) {
    addPriced(ctx, dashboards, {
      group: 'observability',
      resource: `CloudWatch dashboards (${dashboards.length})`,
      quantity: dashboards.length,
      unit: 'dashboard-month',
      priceKey: 'cloudwatch.dashboard-month',
    });
  }
  containerInsights(ctx, profiles);

  const budgets = inv.ofType('AWS::Budgets::Budget');
  if (budgets.length > 0) {
    addPriced(ctx, budgets, {
      group: 'governance',
      resource: `AWS Budgets without actions (${budgets.length})`,
      quantity: budgets.length * DAYS_PER_MONTH,
      unit: 'budget-day',
      priceKey: 'budgets.budget-day',
    });
  }
  const anomaly = [...inv.ofType('AWS::CE::AnomalyMonitor'), ...inv.ofType('AWS::CE::AnomalySubscription')];
  const monitors = anomaly.filter((a) => a.type === 'AWS::CE::AnomalyMonitor');
  if (monitors.length > 0) {
    addPriced(ctx, anomaly, {
      group: 'governance',
      resource: `Cost Anomaly Detection monitors (${monitors.length})`,
      quantity: monitors.length,
      unit: 'monitor-month',
      priceKey: 'cost-anomaly-detection.monitor-month',
    });
  }
}
