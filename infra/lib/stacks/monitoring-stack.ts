import type { ServiceContract } from '@nodeapp/contract';
import { FAILURE_MODE_TAG } from '@nodeapp/monitoring/alerting';
import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps, Tags } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as servicediscovery from 'aws-cdk-lib/aws-servicediscovery';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import type { EnvironmentConfig, SharedConfig } from '../../config/types.ts';
import { notifyOwnedAlarm } from '../constructs/alarms.ts';
import { allowCloudWatchLogs, encryptedLogGroup } from '../constructs/encrypted-log-group.ts';
import { GRAFANA_PATH, MonitoringGrafana } from '../constructs/monitoring-grafana.ts';
import {
  ALERTMANAGER_PORT,
  MonitoringPrometheus,
  PROMETHEUS_CLOUD_MAP_NAME,
  PROMETHEUS_PORT,
} from '../constructs/monitoring-prometheus.ts';
import { imageDigestsFromContext, pinnedImage } from '../images.ts';
import { acknowledge } from '../nag.ts';
import type { ServiceStack } from './service-stack.ts';

export interface MonitoringStackProps extends StackProps {
  readonly config: EnvironmentConfig;
  /** The shared account's image repositories (images by digest) and the GitHub repository (runbook links). */
  readonly shared: Pick<SharedConfig, 'account' | 'region' | 'github'>;
  readonly vpc: ec2.IVpc;
  readonly namespace: servicediscovery.INamespace;
  /** The services Prometheus discovers and scrapes (their contracts; one today, the Service stack's). */
  readonly services: readonly ServiceContract[];
  /** Cluster, ALB listener, CloudFront edge, alarm topic and the app service's security group come from here. */
  readonly service: ServiceStack;
}

/**
 * `Nodeapp-<env>-Monitoring`: Prometheus + Alertmanager + the ECS discovery sidecar (one task) and Grafana (its own
 * service) on the service's cluster. Prometheus finds every app task through the ECS API and is the only one allowed
 * on their metrics port; alerts go to the environment's alarm topic (SNS); CloudWatch alarms watch the monitoring
 * services themselves; Grafana is served at <PublicUrl>/grafana/ through CloudFront → ALB. Images are pinned by
 * digest (`-c <name>ImageDigest=`): nothing is built during `cdk deploy`.
 */
export class MonitoringStack extends Stack {
  readonly prometheus: MonitoringPrometheus;
  readonly grafana: MonitoringGrafana;
  private readonly namePrefix: string;

  constructor(scope: Construct, id: string, props: MonitoringStackProps) {
    super(scope, id, props);
    const { config, service, shared } = props;
    const [contract] = props.services;
    if (!contract || props.services.length > 1) {
      throw new Error(`MonitoringStack: exactly one service per environment for now (got ${props.services.length})`);
    }
    const namePrefix = `Nodeapp-${config.name}`;
    this.namePrefix = namePrefix;
    const removalPolicy = config.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    const cluster = service.cluster as ecs.Cluster;
    const digests = imageDigestsFromContext(this.node);
    const image = (name: 'prometheus' | 'alertmanager' | 'grafana' | 'ecsSd') =>
      pinnedImage(this, `${name}Repository`, shared, name, digests[name]);
    const publicDomain = config.edge.domain?.name ?? service.edge.distribution.distributionDomainName;
    const grafanaUrl = `${service.publicUrl}${GRAFANA_PATH}`;

    const key = new kms.Key(this, 'Key', {
      description: `${namePrefix} monitoring logs and secrets`,
      enableKeyRotation: true,
      removalPolicy,
      pendingWindow: Duration.days(7),
    });
    allowCloudWatchLogs(key, this);
    const logGroup = encryptedLogGroup(this, 'LogGroup', {
      key,
      retentionDays: config.service.logRetentionDays,
      removalPolicy,
      logGroupName: `/nodeapp/${config.name}/monitoring`,
    });

    this.prometheus = new MonitoringPrometheus(this, 'Prometheus', {
      config: config.monitoring,
      cluster,
      vpc: props.vpc,
      namespace: props.namespace,
      architecture: config.service.cpuArchitecture,
      images: { prometheus: image('prometheus'), alertmanager: image('alertmanager'), ecsSd: image('ecsSd') },
      envName: config.name,
      appService: { clusterName: cluster.clusterName, service: contract },
      alarmTopic: service.alarmTopic,
      chatTopic: service.chatTopic,
      grafanaUrl,
      runbookUrl:
        config.monitoring.runbookUrl ?? `https://github.com/${shared.github.repository}/blob/main/docs/runbook.md`,
      logGroup,
      key,
      namePrefix,
    });

    // Only Prometheus may reach the service's metrics port (the rule lives here: the Service stack must not
    // depend on this one). A service without metrics gets no rule.
    if (contract.metrics) {
      new ec2.CfnSecurityGroupIngress(this, 'AppMetricsFromPrometheus', {
        groupId: service.appService.securityGroup.securityGroupId,
        sourceSecurityGroupId: this.prometheus.securityGroup.securityGroupId,
        ipProtocol: 'tcp',
        fromPort: contract.metrics.port,
        toPort: contract.metrics.port,
        description: 'Prometheus scrapes the service metrics',
      });
    }

    this.grafana = new MonitoringGrafana(this, 'Grafana', {
      config: config.monitoring,
      cluster,
      vpc: props.vpc,
      architecture: config.service.cpuArchitecture,
      image: image('grafana'),
      prometheusUrl: `http://${PROMETHEUS_CLOUD_MAP_NAME}.${props.namespace.namespaceName}:${PROMETHEUS_PORT}`,
      alertmanagerUrl: `http://${PROMETHEUS_CLOUD_MAP_NAME}.${props.namespace.namespaceName}:${ALERTMANAGER_PORT}`,
      publicUrl: service.publicUrl,
      publicDomain,
      listener: service.loadBalancer.listener,
      distribution: service.edge.distribution,
      albOrigin: service.edge.albOrigin,
      logGroup,
      key,
      namePrefix,
    });
    this.prometheus.securityGroup.addIngressRule(
      this.grafana.securityGroup,
      ec2.Port.tcp(PROMETHEUS_PORT),
      'Grafana queries Prometheus',
    );
    this.prometheus.securityGroup.addIngressRule(
      this.grafana.securityGroup,
      ec2.Port.tcp(ALERTMANAGER_PORT),
      'Grafana shows Alertmanager alerts and silences',
    );

    const notRunning = this.notRunningAlarms();
    notifyOwnedAlarm(notRunning.grafana, 'grafana-down', service.alarmTopic);
    this.heartbeatAlarms(service.alarmTopic, notRunning.prometheus);
    this.acknowledgeFindings();

    new CfnOutput(this, 'GrafanaUrl', { value: `${grafanaUrl}/`, description: 'Grafana (user admin)' });
    new CfnOutput(this, 'GrafanaAdminSecretArn', { value: this.grafana.adminPassword.secretArn });
    new CfnOutput(this, 'AlertmanagerSecretArn', {
      value: this.prometheus.receiversSecret.secretArn,
      description: 'Optional: put heartbeat_url (an external check) here, then redeploy the prometheus service',
    });
  }

  /**
   * The monitor of the monitor, independent of Prometheus: an alarm per monitoring service when it runs no task for 5
   * minutes. AWS/ECS publishes CPUUtilization per service every minute while a task runs
   * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/available-metrics.html), so its SampleCount is
   * missing when none runs: missing data is breaching. 5 minutes cover the Prometheus task's deploy gap. Prometheus not
   * running is one cause of the alerting-down failure mode (heartbeatAlarms); Grafana's is a mode of its own.
   */
  private notRunningAlarms(): Record<'prometheus' | 'grafana', cloudwatch.Alarm> {
    const alarm = (name: 'prometheus' | 'grafana', part: MonitoringPrometheus | MonitoringGrafana) =>
      this.absenceAlarm(`${name}NotRunning`, {
        alarmName: `${this.namePrefix}-monitoring-${name}-not-running`,
        alarmDescription: `${this.namePrefix}: the ${name} service runs no task (alerts may not be evaluated or delivered). Runbook: docs/runbook.md#watchdog`,
        metric: new cloudwatch.Metric({
          namespace: 'AWS/ECS',
          metricName: 'CPUUtilization',
          dimensionsMap: { ClusterName: part.service.cluster.clusterName, ServiceName: part.service.serviceName },
          statistic: cloudwatch.Stats.SAMPLE_COUNT,
          period: Duration.minutes(1),
        }),
        evaluationPeriods: 5,
      });
    return { prometheus: alarm('prometheus', this.prometheus), grafana: alarm('grafana', this.grafana) };
  }

  /** An alarm for something that must keep happening: fewer than 1 per period, or no data at all, in every period. */
  private absenceAlarm(
    id: string,
    props: Pick<cloudwatch.AlarmProps, 'alarmName' | 'alarmDescription' | 'metric' | 'evaluationPeriods'>,
  ): cloudwatch.Alarm {
    return new cloudwatch.Alarm(this, id, {
      ...props,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      threshold: 1,
      datapointsToAlarm: props.evaluationPeriods,
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });
  }

  /**
   * The dead man's switch, outside the path it watches: Alertmanager publishes the always-firing Watchdog to the
   * heartbeat topic about once a minute; when no message reaches the topic for 15 minutes (Prometheus or Alertmanager
   * down or wedged, the task role, the key or the topic policy broken), the alerting-down failure mode is in alarm.
   * SNS publishes NumberOfMessagesPublished only for minutes with messages
   * (https://docs.aws.amazon.com/sns/latest/dg/sns-monitoring-using-cloudwatch.html), so missing data is breaching.
   * 15 minutes cover the Prometheus task's deploy gap (one task, replaced stop-first). The Prometheus service running
   * no task is the same incident seen sooner: one composite alarm, in ALARM while either is, notifies once
   * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Create_Composite_Alarm.html); its two children
   * notify nobody. A last alarm watches the heartbeat topic's failed deliveries (its optional subscribers).
   */
  private heartbeatAlarms(alarmTopic: sns.ITopic, prometheusNotRunning: cloudwatch.Alarm): void {
    const topic = this.prometheus.heartbeatTopic;
    const missing = this.absenceAlarm('HeartbeatMissing', {
      alarmName: `${this.namePrefix}-monitoring-heartbeat-missing`,
      alarmDescription: `${this.namePrefix}: no alerting heartbeat for 15 minutes: Prometheus or Alertmanager is down, or alerts cannot be published. Runbook: docs/runbook.md#watchdog`,
      metric: topic.metricNumberOfMessagesPublished({ period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM }),
      evaluationPeriods: 3,
    });
    const alertingDown = new cloudwatch.CompositeAlarm(this, 'AlertingDown', {
      compositeAlarmName: `${this.namePrefix}-monitoring-alerting-down`,
      alarmDescription: `${this.namePrefix}: alerts are not evaluated or not delivered (the Prometheus service runs no task, or no heartbeat for 15 minutes). Runbook: docs/runbook.md#watchdog`,
      alarmRule: cloudwatch.AlarmRule.anyOf(missing, prometheusNotRunning),
    });
    const failed = new cloudwatch.Alarm(this, 'HeartbeatNotificationsFailed', {
      alarmName: `${this.namePrefix}-monitoring-heartbeat-notifications-failed`,
      alarmDescription: `${this.namePrefix}: notifications of the heartbeat topic failed to reach a subscriber. Runbook: docs/runbook.md#watchdog`,
      metric: topic.metricNumberOfNotificationsFailed({ period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM }),
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      threshold: 0,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    for (const [alarm, mode] of [
      [missing, 'alerting-down'],
      [prometheusNotRunning, 'alerting-down'],
      [failed, 'heartbeat-topic-delivery'],
    ] as const) {
      Tags.of(alarm).add(FAILURE_MODE_TAG, mode);
    }
    notifyOwnedAlarm(alertingDown, 'alerting-down', alarmTopic);
    notifyOwnedAlarm(failed, 'heartbeat-topic-delivery', alarmTopic);
  }

  /** Findings on CDK-generated policies, each scoped to the policy and explained. */
  private acknowledgeFindings(): void {
    for (const part of [this.prometheus, this.grafana]) {
      const executionPolicy = part.node
        .tryFindChild('TaskDefinition')
        ?.node.tryFindChild('ExecutionRole')
        ?.node.tryFindChild('DefaultPolicy');
      if (executionPolicy) {
        acknowledge(
          executionPolicy,
          'AwsSolutions-IAM5[Resource::*]',
          'ECS agent: ecr:GetAuthorizationToken has no resource-level permission (AWS documents "*"); pulls are limited to the pinned image repositories.',
        );
      }
    }
    const grafanaTaskPolicy = this.grafana.node
      .tryFindChild('TaskDefinition')
      ?.node.tryFindChild('TaskRole')
      ?.node.tryFindChild('DefaultPolicy');
    if (grafanaTaskPolicy) {
      acknowledge(
        grafanaTaskPolicy,
        'AwsSolutions-IAM5[Resource::*]',
        'Read-only CloudWatch/tag APIs of the Grafana datasource: they support no resource-level permissions (AWS documents "*").',
      );
    }
    const prometheusTaskPolicy = this.prometheus.node
      .tryFindChild('TaskDefinition')
      ?.node.tryFindChild('TaskRole')
      ?.node.tryFindChild('DefaultPolicy');
    if (prometheusTaskPolicy) {
      acknowledge(
        prometheusTaskPolicy,
        'AwsSolutions-IAM5[Resource::*]',
        'ecs:ListTasks has no resource type usable for Fargate tasks; it is limited to the app cluster by the ecs:cluster condition.',
      );
      acknowledge(
        prometheusTaskPolicy,
        `AwsSolutions-IAM5[Resource::${this.prometheus.describeTasksResource}]`,
        'ecs:DescribeTasks: the task ids are discovered, not known in advance; limited to the app cluster by the ecs:cluster condition.',
      );
      acknowledge(
        prometheusTaskPolicy,
        'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
        'Publishing to the KMS-encrypted alarm topic needs data keys of that one key (the grant names the key ARN).',
      );
    }
  }
}
