import { Duration, SecretValue, Size, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as servicediscovery from 'aws-cdk-lib/aws-servicediscovery';
import { Construct } from 'constructs';
import type { CpuArchitecture } from '../../config/types.ts';
import type { MonitoringConfig } from '../monitoring-config.ts';
import { acknowledge } from '../nag.ts';
import { monitoringImage } from './monitoring-images.ts';

export const PROMETHEUS_PORT = 9090;
export const ALERTMANAGER_PORT = 9093;
/** Cloud Map name Grafana reads: prometheus.nodeapp.internal. */
export const PROMETHEUS_CLOUD_MAP_NAME = 'prometheus';

export interface MonitoringPrometheusProps {
  readonly config: MonitoringConfig;
  readonly cluster: ecs.ICluster;
  readonly vpc: ec2.IVpc;
  readonly namespace: servicediscovery.INamespace;
  readonly architecture: CpuArchitecture;
  /** The service's task memory: the memory alert compares RSS against it (baked into the rules at build). */
  readonly serviceMemoryMiB: number;
  /** Critical alerts are e-mailed here (the environment's alarm e-mails). */
  readonly alertEmails: readonly string[];
  readonly logGroup: logs.ILogGroup;
  readonly key: kms.IKey;
  readonly ecsExec: boolean;
  readonly namePrefix: string;
}

/**
 * Prometheus and Alertmanager in one Fargate task (they talk over localhost), one task at a time (two would
 * send every alert twice), TSDB on the task's encrypted ephemeral storage, registered in Cloud Map as
 * `prometheus` for Grafana. Nothing public: the security group admits only what the stack allows.
 */
export class MonitoringPrometheus extends Construct {
  readonly service: ecs.FargateService;
  readonly taskDefinition: ecs.FargateTaskDefinition;
  readonly securityGroup: ec2.SecurityGroup;
  /** Slack webhook URL and SMTP credentials of Alertmanager's receivers (JSON; filled in by the operator). */
  readonly receiversSecret: secretsmanager.Secret;

  constructor(scope: Construct, id: string, props: MonitoringPrometheusProps) {
    super(scope, id);
    const { config } = props;
    const { region } = Stack.of(this);

    this.receiversSecret = new secretsmanager.Secret(this, 'ReceiversSecret', {
      description: `${props.namePrefix} Alertmanager receivers: slack_webhook_url, smtp_auth_username, smtp_auth_password`,
      encryptionKey: props.key,
      // Empty placeholders (no secret in the template): the operator puts the real values, then redeploys.
      secretObjectValue: {
        slack_webhook_url: SecretValue.unsafePlainText(''),
        smtp_auth_username: SecretValue.unsafePlainText(''),
        smtp_auth_password: SecretValue.unsafePlainText(''),
      },
    });
    acknowledge(
      this.receiversSecret,
      'AwsSolutions-SMG4',
      'Third-party credentials (Slack webhook, SES SMTP) that AWS cannot rotate: replaced by the operator (docs/monitoring.md).',
    );

    this.taskDefinition = new ecs.FargateTaskDefinition(this, 'TaskDefinition', {
      family: `${props.namePrefix}-prometheus`,
      cpu: config.prometheus.cpu,
      memoryLimitMiB: config.prometheus.memoryMiB,
      ephemeralStorageGiB: config.prometheus.ephemeralStorageGiB,
      runtimePlatform: {
        cpuArchitecture: ecs.CpuArchitecture.of(props.architecture),
        operatingSystemFamily: ecs.OperatingSystemFamily.LINUX,
      },
    });
    const logging = (streamPrefix: string) =>
      ecs.LogDrivers.awsLogs({
        logGroup: props.logGroup,
        streamPrefix,
        mode: ecs.AwsLogDriverMode.NON_BLOCKING,
        maxBufferSize: Size.mebibytes(8),
      });
    const ready = (port: number) => ({
      command: ['CMD', 'wget', '-q', '--spider', `http://127.0.0.1:${port}/-/ready`],
      interval: Duration.seconds(15),
      timeout: Duration.seconds(5),
      retries: 3,
      startPeriod: Duration.seconds(30),
    });

    this.taskDefinition.addContainer('prometheus', {
      image: monitoringImage('prometheus', props.architecture, { TASK_MEMORY_MIB: String(props.serviceMemoryMiB) }),
      essential: true,
      command: [
        '--config.file=/etc/prometheus/prometheus.yml',
        '--storage.tsdb.path=/prometheus',
        `--storage.tsdb.retention.time=${config.prometheus.retentionDays}d`,
        `--storage.tsdb.retention.size=${config.prometheus.retentionSizeGiB}GB`,
        `--web.listen-address=:${PROMETHEUS_PORT}`,
      ],
      portMappings: [{ name: 'prometheus', containerPort: PROMETHEUS_PORT }],
      healthCheck: ready(PROMETHEUS_PORT),
      logging: logging('prometheus'),
      stopTimeout: Duration.seconds(30),
    });

    const alertmanager = this.taskDefinition.addContainer('alertmanager', {
      image: monitoringImage('alertmanager', props.architecture),
      essential: true,
      command: [
        '--config.file=/tmp/alertmanager.yml',
        '--storage.path=/alertmanager',
        `--web.listen-address=:${ALERTMANAGER_PORT}`,
        // One instance: no gossip cluster (and no listener on 9094).
        '--cluster.listen-address=',
      ],
      portMappings: [{ name: 'alertmanager', containerPort: ALERTMANAGER_PORT }],
      healthCheck: ready(ALERTMANAGER_PORT),
      logging: logging('alertmanager'),
      environment: {
        ALERT_EMAIL_TO: props.alertEmails.join(', '),
        SMTP_FROM: config.alertEmail.from,
        SMTP_SMARTHOST: config.alertEmail.smtpSmarthost ?? `email-smtp.${region}.amazonaws.com:587`,
      },
      secrets: {
        SLACK_WEBHOOK_URL: ecs.Secret.fromSecretsManager(this.receiversSecret, 'slack_webhook_url'),
        SMTP_AUTH_USERNAME: ecs.Secret.fromSecretsManager(this.receiversSecret, 'smtp_auth_username'),
        SMTP_AUTH_PASSWORD: ecs.Secret.fromSecretsManager(this.receiversSecret, 'smtp_auth_password'),
      },
    });
    acknowledge(
      alertmanager.taskDefinition,
      'AwsSolutions-ECS2',
      'Plain, non-secret settings (alert e-mail addresses, SMTP host); the receivers credentials are ECS secrets.',
    );

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: `${props.namePrefix} Prometheus + Alertmanager: Prometheus port from Grafana only`,
      // Scrapes the service tasks; sends e-mail (SES SMTP) and Slack notifications; pulls images.
      allowAllOutbound: true,
    });

    this.service = new ecs.FargateService(this, 'Service', {
      serviceName: 'prometheus',
      cluster: props.cluster,
      taskDefinition: this.taskDefinition,
      desiredCount: 1,
      // Never two at once: two unclustered Alertmanagers would each notify. A deploy has a short gap instead.
      minHealthyPercent: 0,
      maxHealthyPercent: 100,
      circuitBreaker: { enable: true, rollback: true },
      capacityProviderStrategies: [
        { capacityProvider: props.config.spot ? 'FARGATE_SPOT' : 'FARGATE', weight: 1, base: 1 },
      ],
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      securityGroups: [this.securityGroup],
      assignPublicIp: false,
      enableExecuteCommand: props.ecsExec,
      propagateTags: ecs.PropagatedTagSource.SERVICE,
      enableECSManagedTags: true,
      cloudMapOptions: {
        cloudMapNamespace: props.namespace,
        name: PROMETHEUS_CLOUD_MAP_NAME,
        dnsRecordType: servicediscovery.DnsRecordType.A,
        dnsTtl: Duration.seconds(10),
      },
    });
  }
}
