import { FAILURE_MODE_TAG, FAILURE_MODES, type FailureMode, notifies } from '@nodeapp/monitoring/alerting';
import { ArnFormat, Duration, Lazy, RemovalPolicy, Stack, Tags } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as rds from 'aws-cdk-lib/aws-rds';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import type { AlarmConfig } from '../../config/types.ts';

export interface AlarmsProps {
  readonly config: AlarmConfig;
  /** Prefix of alarm and dashboard names, e.g. Nodeapp-prod. */
  readonly namePrefix: string;
  readonly retainData: boolean;
  /**
   * The failure modes Prometheus alerts on for this service (`prometheusFailureModes` of its contract,
   * @nodeapp/monitoring/ownership). A mode Prometheus owns but has no alert for here (the service exports no metrics
   * for it) falls back to CloudWatch: its alarms notify through one composite alarm `<namePrefix>-<mode>`.
   * @default - every mode Prometheus owns (a service that exports every metric the rules read)
   */
  readonly prometheusModes?: ReadonlySet<FailureMode>;
}

/**
 * Alarms (by suffix) that roll an ECS deployment back (`deploymentConfiguration.alarms`): during a rolling deploy, a
 * canary's traffic shift and its bake time. An alarm joins by being listed here; its target-group metrics cover
 * both target groups under canary/blue-green (each release serves from the one the previous did not). ECS reads their
 * state, not their actions ("when it detects that a specified CloudWatch alarm has gone into the ALARM state",
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-alarm-failure.html): they roll back whether or
 * not they notify, and they notify nobody, because Prometheus owns their failure modes (addAlarm).
 */
export const DEPLOYMENT_ALARMS: readonly string[] = ['alb-5xx-rate', 'target-5xx', 'p99-latency', 'unhealthy-hosts'];

export interface ServiceAlarmTargets {
  readonly service: ecs.BaseService;
  readonly clusterName: string;
  readonly serviceName: string;
  /** The target group's health check path (the contract's readiness path), named in the unhealthy-hosts alarm. */
  readonly readinessPath: string;
  readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  readonly targetGroup: elbv2.ApplicationTargetGroup;
  /** Canary/blue-green: the service's second target group; target metrics then combine both. @default - none */
  readonly alternateTargetGroup?: elbv2.ApplicationTargetGroup;
  /** The running/desired task counts come from Container Insights; without it that alarm is left out. */
  readonly containerInsights: boolean;
}

/**
 * The alarm topic (KMS-encrypted SNS with the config's e-mail subscriptions), the service's CloudWatch alarms
 * and its dashboard. Written with aws-cloudwatch directly: the ECS deployment alarms need names we control,
 * and "running below desired" is a metric-math alarm on Container Insights.
 */
export class Alarms extends Construct {
  readonly topic: sns.Topic;
  /** Encrypts the alarm topic (and the chat topic); CloudWatch alarms of the environment may use it. */
  readonly key: kms.Key;
  readonly dashboard: cloudwatch.Dashboard;
  readonly alarms: cloudwatch.Alarm[] = [];
  /** Alarms that roll an ECS deployment back: those of DEPLOYMENT_ALARMS. */
  readonly deploymentAlarms: cloudwatch.Alarm[] = [];
  /** Their names as plain strings (known at synth: `<namePrefix>-<suffix>`), for enableDeploymentAlarms. */
  readonly deploymentAlarmNames: string[] = [];
  private readonly props: AlarmsProps;
  private readonly prometheusModes: ReadonlySet<FailureMode>;
  /** Per fallback mode: the alarms its composite alarm watches (read when the template is written). */
  private readonly fallbacks = new Map<FailureMode, cloudwatch.Alarm[]>();

  constructor(scope: Construct, id: string, props: AlarmsProps) {
    super(scope, id);
    this.props = props;
    this.prometheusModes =
      props.prometheusModes ??
      new Set((Object.keys(FAILURE_MODES) as FailureMode[]).filter((m) => !notifies(m, 'cloudwatch')));
    this.key = new kms.Key(this, 'TopicKey', {
      description: `${props.namePrefix} alarm topic`,
      enableKeyRotation: true,
      removalPolicy: props.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(7),
    });
    const key = this.key;
    this.topic = new sns.Topic(this, 'Topic', {
      displayName: `${props.namePrefix} alarms`,
      masterKey: key,
      enforceSSL: true,
    });
    allowCloudWatchAlarms(this.topic, key, `${props.namePrefix}-*`);
    for (const email of props.config.emails) this.topic.addSubscription(new subscriptions.EmailSubscription(email));
    this.addNotificationsFailedAlarm(
      'TopicNotificationsFailed',
      'alarm-topic-notifications-failed',
      'alarm-topic-delivery',
      this.topic,
    );
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: props.namePrefix,
      defaultInterval: Duration.hours(3),
    });
  }

  /** The name addAlarm gives an alarm with this suffix. */
  alarmNameOf(suffix: string): string {
    return `${this.props.namePrefix}-${suffix}`;
  }

  /**
   * Creates an alarm for one failure mode (FAILURE_MODES in monitoring/src/alerting.ts), tagged with it. It notifies the
   * topic on ALARM and OK only when CloudWatch owns the mode; in a mode Prometheus alerts on it notifies nobody (one
   * incident notifies once) and stays for the deployment rollback and the dashboard; in a mode Prometheus owns but has
   * no alert for (prometheusModes), the mode's composite alarm notifies for all its alarms.
   */
  addAlarm(
    id: string,
    suffix: string,
    failureMode: FailureMode,
    props: Omit<cloudwatch.AlarmProps, 'alarmName'>,
  ): cloudwatch.Alarm {
    const prometheusAlerts = !notifies(failureMode, 'cloudwatch') && this.prometheusModes.has(failureMode);
    const silent = prometheusAlerts
      ? ` Notifies nobody: Prometheus alerts for ${failureMode} (docs/monitoring.md#one-incident-notifies-once).`
      : '';
    const alarm = new cloudwatch.Alarm(this, id, {
      alarmName: this.alarmNameOf(suffix),
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      ...props,
      alarmDescription: `${props.alarmDescription ?? ''}${silent}`.trim(),
    });
    if (notifies(failureMode, 'cloudwatch') || prometheusAlerts) notifyOwnedAlarm(alarm, failureMode, this.topic);
    else this.fallbackAlarm(failureMode, alarm);
    this.alarms.push(alarm);
    if (DEPLOYMENT_ALARMS.includes(suffix)) {
      this.deploymentAlarms.push(alarm);
      this.deploymentAlarmNames.push(this.alarmNameOf(suffix));
    }
    return alarm;
  }

  /**
   * An alarm in a mode Prometheus owns but cannot alert on for this service: tagged, without actions of its own; the
   * mode's composite alarm (in ALARM while any of them is,
   * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Create_Composite_Alarm.html) notifies once.
   */
  private fallbackAlarm(mode: FailureMode, alarm: cloudwatch.Alarm): void {
    Tags.of(alarm).add(FAILURE_MODE_TAG, mode);
    const children = this.fallbacks.get(mode);
    if (children) {
      children.push(alarm);
      return;
    }
    const list = [alarm];
    this.fallbacks.set(mode, list);
    // The rule is rendered when the template is written, so alarms added later in the mode join it.
    const anyOf: cloudwatch.IAlarmRule = {
      renderAlarmRule: () => Lazy.string({ produce: () => cloudwatch.AlarmRule.anyOf(...list).renderAlarmRule() }),
    };
    const composite = new cloudwatch.CompositeAlarm(this, `Fallback-${mode}`, {
      compositeAlarmName: this.alarmNameOf(mode),
      alarmDescription: `${FAILURE_MODES[mode].summary}: no Prometheus alert covers it for this service (its contract exports no metrics for it), so its CloudWatch alarms notify, once. Runbook: docs/monitoring.md#one-incident-notifies-once`,
      alarmRule: anyOf,
    });
    notifyOwnedAlarm(composite, mode, this.topic, true);
  }

  /**
   * SNS could not deliver a notification of `topic` to a subscriber (an e-mail bounce, the chat integration refusing
   * it) in 5 minutes: NumberOfNotificationsFailed (https://docs.aws.amazon.com/sns/latest/dg/sns-monitoring-using-cloudwatch.html).
   * It notifies the alarm topic: the other subscribers still hear of it.
   */
  addNotificationsFailedAlarm(
    id: string,
    suffix: string,
    failureMode: FailureMode,
    topic: sns.ITopic,
  ): cloudwatch.Alarm {
    return this.addAlarm(id, suffix, failureMode, {
      alarmDescription: `Notifications of ${topic.node.path} failed to reach a subscriber. Runbook: docs/runbook.md#watchdog`,
      metric: topic.metricNumberOfNotificationsFailed({ period: Duration.minutes(5), statistic: 'Sum' }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
    });
  }

  addServiceAlarms(t: ServiceAlarmTargets): void {
    const c = this.props.config;
    const minute = Duration.minutes(1);
    const GT = cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD;
    const requests = t.loadBalancer.metrics.requestCount({ period: minute, statistic: 'Sum' });
    const elb5xx = t.loadBalancer.metrics.httpCodeElb(elbv2.HttpCodeElb.ELB_5XX_COUNT, { period: minute });
    const alb5xxRate = new cloudwatch.MathExpression({
      expression: 'IF(requests > 0, 100 * elb5xx / requests, 0)',
      usingMetrics: { requests, elb5xx },
      period: minute,
      label: 'ALB 5xx %',
    });
    this.addAlarm('Alb5xxRate', 'alb-5xx-rate', 'error-responses', {
      alarmDescription: `ALB-generated 5xx above ${c.alb5xxRatePercent} % of requests (rolls deployments back)`,
      metric: alb5xxRate,
      threshold: c.alb5xxRatePercent,
      comparisonOperator: GT,
      evaluationPeriods: 5,
      datapointsToAlarm: 3,
    });
    // One target group, or both combined (canary/blue-green): 5xx summed, unhealthy hosts and p99 the worse of the
    // two, so a canary holding 10 % of the traffic alarms on its own p99 and errors.
    const groups = [t.targetGroup, ...(t.alternateTargetGroup ? [t.alternateTargetGroup] : [])];
    const combine = (label: string, fn: 'SUM' | 'MAX', of: (g: elbv2.ApplicationTargetGroup) => cloudwatch.IMetric) =>
      groups.length === 1
        ? of(t.targetGroup)
        : new cloudwatch.MathExpression({
            expression: `${fn}([${groups.map((_, i) => `FILL(g${i}, 0)`).join(', ')}])`,
            usingMetrics: Object.fromEntries(groups.map((g, i) => [`g${i}`, of(g)])),
            period: minute,
            label,
          });
    const target5xx = combine('Target 5xx', 'SUM', (g) =>
      g.metrics.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, { period: minute }),
    );
    this.addAlarm('Target5xx', 'target-5xx', 'error-responses', {
      alarmDescription: `More than ${c.target5xxCount} 5xx responses a minute from the service (rolls deployments back)`,
      metric: target5xx,
      threshold: c.target5xxCount,
      comparisonOperator: GT,
      evaluationPeriods: 2,
      datapointsToAlarm: 2,
    });
    const unhealthy = combine('Unhealthy targets', 'MAX', (g) =>
      g.metrics.unhealthyHostCount({ period: minute, statistic: 'Maximum' }),
    );
    this.addAlarm('UnhealthyHosts', 'unhealthy-hosts', 'task-failure', {
      alarmDescription: `Targets failing the ${t.readinessPath} check (rolls deployments back)`,
      metric: unhealthy,
      threshold: 0,
      comparisonOperator: GT,
      evaluationPeriods: 3,
      datapointsToAlarm: 3,
    });
    const p99 = combine('p99 (worst target group)', 'MAX', (g) =>
      g.metrics.targetResponseTime({ period: minute, statistic: 'p99' }),
    );
    this.addAlarm('P99Latency', 'p99-latency', 'slow-responses', {
      alarmDescription: `p99 target response time above ${c.p99LatencySeconds} s (rolls deployments back)`,
      metric: p99,
      threshold: c.p99LatencySeconds,
      comparisonOperator: GT,
      evaluationPeriods: 5,
      datapointsToAlarm: 4,
    });
    const cpu = t.service.metricCpuUtilization({ period: minute });
    this.addAlarm('CpuHigh', 'cpu-high', 'cpu-saturation', {
      alarmDescription: `Service CPU above ${c.cpuHighPercent} % (autoscaling should have reacted)`,
      metric: cpu,
      threshold: c.cpuHighPercent,
      comparisonOperator: GT,
      evaluationPeriods: 10,
      datapointsToAlarm: 8,
    });
    const memory = t.service.metricMemoryUtilization({ period: minute });
    this.addAlarm('MemoryHigh', 'memory-high', 'memory-exhaustion', {
      alarmDescription: `Service memory above ${c.memoryHighPercent} %`,
      metric: memory,
      threshold: c.memoryHighPercent,
      comparisonOperator: GT,
      evaluationPeriods: 10,
      datapointsToAlarm: 8,
    });
    // Container Insights publishes both counts; their difference is tasks that should run but do not.
    const insights = (metricName: string) =>
      new cloudwatch.Metric({
        namespace: 'ECS/ContainerInsights',
        metricName,
        dimensionsMap: { ClusterName: t.clusterName, ServiceName: t.serviceName },
        period: minute,
        statistic: 'Average',
      });
    const missingTasks = new cloudwatch.MathExpression({
      expression: 'desired - running',
      usingMetrics: { desired: insights('DesiredTaskCount'), running: insights('RunningTaskCount') },
      period: minute,
      label: 'Tasks below desired',
    });
    if (t.containerInsights) {
      this.addAlarm('TasksBelowDesired', 'tasks-below-desired', 'task-failure', {
        alarmDescription: 'Running tasks below the desired count for 5 minutes (placement, image or start-up failures)',
        metric: missingTasks,
        threshold: 0,
        comparisonOperator: GT,
        evaluationPeriods: 5,
        datapointsToAlarm: 5,
      });
    }

    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Requests and 5xx',
        left: [requests],
        right: [elb5xx, target5xx],
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'Target response time',
        left: [...groups.map((g) => g.metrics.targetResponseTime({ period: minute, statistic: 'p50' })), p99],
        width: 12,
      }),
      new cloudwatch.GraphWidget({ title: 'CPU and memory %', left: [cpu, memory], width: 12 }),
      new cloudwatch.GraphWidget({
        title: 'Tasks',
        left: [insights('RunningTaskCount'), insights('DesiredTaskCount'), unhealthy],
        width: 12,
      }),
      new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 24 }),
    );
  }
}

/**
 * Tags `alarm` with its failure mode and, when CloudWatch owns the mode, notifies `topic` on ALARM and OK. Alarm tags:
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-cloudwatch-alarm.html#cfn-cloudwatch-alarm-tags
 */
export function notifyOwnedAlarm(
  alarm: cloudwatch.AlarmBase,
  failureMode: FailureMode,
  topic: sns.ITopic,
  /** CloudWatch notifies for a mode Prometheus owns but has no alert for (Alarms.prometheusModes). */
  fallback = false,
): void {
  Tags.of(alarm).add(FAILURE_MODE_TAG, failureMode);
  if (!fallback && !notifies(failureMode, 'cloudwatch')) return;
  alarm.addAlarmAction(new actions.SnsAction(topic));
  alarm.addOkAction(new actions.SnsAction(topic));
}

/**
 * Lets the CloudWatch alarms of this account and region whose names match `alarmNamePattern` publish to `topic` and
 * use its KMS key. Both grants are needed:
 * - a topic policy replaces SNS's default policy, and with `enforceSSL` CDK writes one holding only the SSL Deny
 *   (https://github.com/aws/aws-cdk/pull/31569), so without an Allow for the service principal every alarm action
 *   fails with "not authorized to perform: SNS:Publish … because no resource-based policy allows"
 *   (https://github.com/aws-solutions/automated-security-response-on-aws/issues/43). CloudWatch publishes as
 *   `cloudwatch.amazonaws.com` (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Notify_Users_Alarm_Changes.html);
 * - an encrypted topic needs kms:GenerateDataKey* and kms:Decrypt for the publishing service
 *   (https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services).
 * aws:SourceAccount and aws:SourceArn keep the service from acting for other accounts' or other alarms' requests
 * (the confused deputy: https://docs.aws.amazon.com/sns/latest/dg/sns-access-policy-use-cases.html#source-account-versus-source-owner,
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html).
 */
export function allowCloudWatchAlarms(topic: sns.Topic, key: kms.IKey, alarmNamePattern: string): void {
  const stack = Stack.of(topic);
  const conditions = {
    StringEquals: { 'aws:SourceAccount': stack.account },
    ArnLike: {
      'aws:SourceArn': stack.formatArn({
        service: 'cloudwatch',
        resource: 'alarm',
        resourceName: alarmNamePattern,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      }),
    },
  };
  const cloudwatchPrincipal = new iam.ServicePrincipal('cloudwatch.amazonaws.com');
  topic.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'CloudWatchAlarmsOfThisAccount',
      principals: [cloudwatchPrincipal],
      actions: ['sns:Publish'],
      resources: [topic.topicArn],
      conditions,
    }),
  );
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'CloudWatchAlarmsOfThisAccount',
      principals: [cloudwatchPrincipal],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      resources: ['*'],
      conditions,
    }),
  );
}

/** RDS alarms into the same topic: CPU, free storage, free memory, connections. */
export function addDatabaseAlarms(
  alarms: Alarms,
  instance: rds.IDatabaseInstance,
  config: { allocatedStorageGiB: number; connectionsAlarm: number },
): void {
  const five = Duration.minutes(5);
  const GT = cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD;
  const LT = cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD;
  const created = [
    alarms.addAlarm('DbCpuHigh', 'db-cpu-high', 'database-cpu', {
      alarmDescription: 'RDS CPU above 80 %',
      metric: instance.metricCPUUtilization({ period: five }),
      threshold: 80,
      comparisonOperator: GT,
      evaluationPeriods: 3,
    }),
    alarms.addAlarm('DbFreeStorageLow', 'db-free-storage-low', 'database-storage', {
      alarmDescription: 'RDS free storage below 20 % of the allocated storage (autoscaling may be at its ceiling)',
      metric: instance.metricFreeStorageSpace({ period: five }),
      threshold: config.allocatedStorageGiB * 0.2 * 1024 ** 3,
      comparisonOperator: LT,
      evaluationPeriods: 2,
    }),
    alarms.addAlarm('DbFreeMemoryLow', 'db-free-memory-low', 'database-memory', {
      alarmDescription: 'RDS freeable memory below 100 MiB',
      metric: instance.metricFreeableMemory({ period: five }),
      threshold: 100 * 1024 ** 2,
      comparisonOperator: LT,
      evaluationPeriods: 3,
    }),
    alarms.addAlarm('DbConnectionsHigh', 'db-connections-high', 'database-connections', {
      alarmDescription: `More than ${config.connectionsAlarm} database connections`,
      metric: instance.metricDatabaseConnections({ period: five }),
      threshold: config.connectionsAlarm,
      comparisonOperator: GT,
      evaluationPeriods: 2,
    }),
  ];
  alarms.dashboard.addWidgets(
    new cloudwatch.GraphWidget({
      title: 'Database',
      left: [instance.metricCPUUtilization(), instance.metricDatabaseConnections()],
      right: [instance.metricFreeableMemory()],
      width: 24,
    }),
    new cloudwatch.AlarmStatusWidget({ title: 'Database alarms', alarms: created, width: 24 }),
  );
}
