import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
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
}

export interface ServiceAlarmTargets {
  readonly service: ecs.BaseService;
  readonly clusterName: string;
  readonly serviceName: string;
  /** The target group's health check path (the contract's readiness path), named in the unhealthy-hosts alarm. */
  readonly readinessPath: string;
  readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  readonly targetGroup: elbv2.ApplicationTargetGroup;
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
  readonly dashboard: cloudwatch.Dashboard;
  readonly alarms: cloudwatch.Alarm[] = [];
  /** Alarms that roll an ECS deployment back (target 5xx, unhealthy hosts). */
  readonly deploymentAlarms: cloudwatch.Alarm[] = [];
  /** Their names as plain strings (known at synth: `<namePrefix>-<suffix>`), for enableDeploymentAlarms. */
  readonly deploymentAlarmNames: string[] = [];
  private readonly props: AlarmsProps;

  constructor(scope: Construct, id: string, props: AlarmsProps) {
    super(scope, id);
    this.props = props;
    const key = new kms.Key(this, 'TopicKey', {
      description: `${props.namePrefix} alarm topic`,
      enableKeyRotation: true,
      removalPolicy: props.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(7),
    });
    // CloudWatch alarms publish to an encrypted topic only if they may use its key
    // (https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services), and only
    // on behalf of this account's alarms: aws:SourceAccount closes the confused-deputy path
    // (https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html).
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsOfThisAccount',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
    );
    this.topic = new sns.Topic(this, 'Topic', {
      displayName: `${props.namePrefix} alarms`,
      masterKey: key,
      enforceSSL: true,
    });
    for (const email of props.config.emails) this.topic.addSubscription(new subscriptions.EmailSubscription(email));
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: props.namePrefix,
      defaultInterval: Duration.hours(3),
    });
  }

  /** The name addAlarm gives an alarm with this suffix. */
  alarmNameOf(suffix: string): string {
    return `${this.props.namePrefix}-${suffix}`;
  }

  /** Creates an alarm notifying the topic on ALARM and OK. */
  addAlarm(id: string, suffix: string, props: Omit<cloudwatch.AlarmProps, 'alarmName'>): cloudwatch.Alarm {
    const alarm = new cloudwatch.Alarm(this, id, {
      alarmName: this.alarmNameOf(suffix),
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      ...props,
    });
    alarm.addAlarmAction(new actions.SnsAction(this.topic));
    alarm.addOkAction(new actions.SnsAction(this.topic));
    this.alarms.push(alarm);
    return alarm;
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
    this.addAlarm('Alb5xxRate', 'alb-5xx-rate', {
      alarmDescription: `ALB-generated 5xx above ${c.alb5xxRatePercent} % of requests`,
      metric: alb5xxRate,
      threshold: c.alb5xxRatePercent,
      comparisonOperator: GT,
      evaluationPeriods: 5,
      datapointsToAlarm: 3,
    });
    const target5xx = t.targetGroup.metrics.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, { period: minute });
    this.deploymentAlarmNames.push(this.alarmNameOf('target-5xx'), this.alarmNameOf('unhealthy-hosts'));
    this.deploymentAlarms.push(
      this.addAlarm('Target5xx', 'target-5xx', {
        alarmDescription: `More than ${c.target5xxCount} 5xx responses a minute from the service (rolls deployments back)`,
        metric: target5xx,
        threshold: c.target5xxCount,
        comparisonOperator: GT,
        evaluationPeriods: 2,
        datapointsToAlarm: 2,
      }),
    );
    const unhealthy = t.targetGroup.metrics.unhealthyHostCount({ period: minute, statistic: 'Maximum' });
    this.deploymentAlarms.push(
      this.addAlarm('UnhealthyHosts', 'unhealthy-hosts', {
        alarmDescription: `Targets failing the ${t.readinessPath} check (rolls deployments back)`,
        metric: unhealthy,
        threshold: 0,
        comparisonOperator: GT,
        evaluationPeriods: 3,
        datapointsToAlarm: 3,
      }),
    );
    const p99 = t.targetGroup.metrics.targetResponseTime({ period: minute, statistic: 'p99' });
    this.addAlarm('P99Latency', 'p99-latency', {
      alarmDescription: `p99 target response time above ${c.p99LatencySeconds} s`,
      metric: p99,
      threshold: c.p99LatencySeconds,
      comparisonOperator: GT,
      evaluationPeriods: 5,
      datapointsToAlarm: 4,
    });
    const cpu = t.service.metricCpuUtilization({ period: minute });
    this.addAlarm('CpuHigh', 'cpu-high', {
      alarmDescription: `Service CPU above ${c.cpuHighPercent} % (autoscaling should have reacted)`,
      metric: cpu,
      threshold: c.cpuHighPercent,
      comparisonOperator: GT,
      evaluationPeriods: 10,
      datapointsToAlarm: 8,
    });
    const memory = t.service.metricMemoryUtilization({ period: minute });
    this.addAlarm('MemoryHigh', 'memory-high', {
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
      this.addAlarm('TasksBelowDesired', 'tasks-below-desired', {
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
        left: [t.targetGroup.metrics.targetResponseTime({ period: minute, statistic: 'p50' }), p99],
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
    alarms.addAlarm('DbCpuHigh', 'db-cpu-high', {
      alarmDescription: 'RDS CPU above 80 %',
      metric: instance.metricCPUUtilization({ period: five }),
      threshold: 80,
      comparisonOperator: GT,
      evaluationPeriods: 3,
    }),
    alarms.addAlarm('DbFreeStorageLow', 'db-free-storage-low', {
      alarmDescription: 'RDS free storage below 20 % of the allocated storage (autoscaling may be at its ceiling)',
      metric: instance.metricFreeStorageSpace({ period: five }),
      threshold: config.allocatedStorageGiB * 0.2 * 1024 ** 3,
      comparisonOperator: LT,
      evaluationPeriods: 2,
    }),
    alarms.addAlarm('DbFreeMemoryLow', 'db-free-memory-low', {
      alarmDescription: 'RDS freeable memory below 100 MiB',
      metric: instance.metricFreeableMemory({ period: five }),
      threshold: 100 * 1024 ** 2,
      comparisonOperator: LT,
      evaluationPeriods: 3,
    }),
    alarms.addAlarm('DbConnectionsHigh', 'db-connections-high', {
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
