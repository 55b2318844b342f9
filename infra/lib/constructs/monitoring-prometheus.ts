import type { ServiceContract } from '@nodeapp/contract';
import { discoveryOf, ECS_SD_PORT } from '@nodeapp/monitoring/discovery';
import { Duration, SecretValue, Size, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as servicediscovery from 'aws-cdk-lib/aws-servicediscovery';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { CpuArchitecture } from '../../config/types.ts';
import { ampRemoteWriteUrl, type MonitoringConfig } from '../monitoring-config.ts';
import { acknowledge } from '../nag.ts';
import { hardenedOptions, mountDataPaths } from './monitoring-hardening.ts';

export const PROMETHEUS_PORT = 9090;
export const ALERTMANAGER_PORT = 9093;
/** Cloud Map name Grafana reads: prometheus.nodeapp.internal. */
export const PROMETHEUS_CLOUD_MAP_NAME = 'prometheus';

/**
 * The discovery sidecar's heap cap and the container's hard memory limit: uncapped, its RSS grew to 266 MiB under
 * uncached passes over 600 tasks; with a 48 MiB heap it peaked at 133 MiB (BENCHMARKS.md, "ECS discovery sidecar
 * memory"). The limit leaves that peak ~60 MiB of headroom, and keeps a leak from starving Prometheus in the task.
 */
export const ECS_SD_HEAP_MIB = 48;
export const ECS_SD_MEMORY_LIMIT_MIB = 192;

/** The images' users: prom/prometheus and prom/alertmanager run as nobody; the sidecar as node (1000). */
const NOBODY = '65534:65534';
const SIDECAR_USER = '1000:1000';

export interface MonitoringPrometheusProps {
  readonly config: MonitoringConfig;
  readonly cluster: ecs.ICluster;
  readonly vpc: ec2.IVpc;
  readonly namespace: servicediscovery.INamespace;
  readonly architecture: CpuArchitecture;
  /** The three images of the task, pinned by digest (lib/images.ts pinnedImage). */
  readonly images: {
    readonly prometheus: ecs.ContainerImage;
    readonly alertmanager: ecs.ContainerImage;
    readonly ecsSd: ecs.ContainerImage;
  };
  /** The environment's name: the `env` label of every alert and series. */
  readonly envName: string;
  /** The ECS service whose tasks are discovered and scraped: its cluster and its contract. */
  readonly appService: { readonly clusterName: string; readonly service: ServiceContract };
  /** Alertmanager publishes every alert here (the environment's alarm topic; e-mail via its subscriptions). */
  readonly alarmTopic: sns.ITopic;
  /**
   * Alertmanager also publishes every alert here in the chat integration's format (ServiceStack chatTopic).
   * @default - no chat topic (no Slack channel configured)
   */
  readonly chatTopic?: sns.ITopic;
  /** Public Grafana URL (https://<domain>/grafana) and the runbook's absolute URL, for links in notifications. */
  readonly grafanaUrl: string;
  readonly runbookUrl: string;
  readonly logGroup: logs.ILogGroup;
  readonly key: kms.IKey;
  readonly namePrefix: string;
}

/**
 * Prometheus, Alertmanager and the ECS discovery sidecar in one Fargate task (they talk over localhost), one task at
 * a time (two would send every alert twice), TSDB on the task's encrypted ephemeral storage, registered in Cloud Map
 * as `prometheus` for Grafana. Every container read-only, without capabilities, non-root.
 */
export class MonitoringPrometheus extends Construct {
  readonly service: ecs.FargateService;
  readonly taskDefinition: ecs.FargateTaskDefinition;
  readonly securityGroup: ec2.SecurityGroup;
  /** The optional external heartbeat check: heartbeat_url (JSON; filled in by the operator). */
  readonly receiversSecret: secretsmanager.Secret;
  /** The tasks ecs:DescribeTasks may read: any task ARN of the account and region, under the ecs:cluster condition. */
  readonly describeTasksResource: string;
  /**
   * Alertmanager publishes the always-firing Watchdog here about once a minute; a CloudWatch alarm on its
   * NumberOfMessagesPublished (MonitoringStack) notifies the alarm topic when the heartbeats stop.
   */
  readonly heartbeatTopic: sns.Topic;

  constructor(scope: Construct, id: string, props: MonitoringPrometheusProps) {
    super(scope, id);
    const { config } = props;
    const stack = Stack.of(this);
    this.describeTasksResource = stack.formatArn({ service: 'ecs', resource: 'task', resourceName: '*' });

    this.receiversSecret = new secretsmanager.Secret(this, 'ReceiversSecret', {
      description: `${props.namePrefix} Alertmanager optional receiver: heartbeat_url`,
      encryptionKey: props.key,
      // Empty placeholders (no secret in the template): the operator puts the real values, then redeploys.
      secretObjectValue: {
        heartbeat_url: SecretValue.unsafePlainText(''),
      },
    });
    acknowledge(
      this.receiversSecret,
      'AwsSolutions-SMG4',
      'A third-party URL (the external heartbeat check) that AWS cannot rotate: replaced by the operator (docs/monitoring.md).',
    );

    this.heartbeatTopic = new sns.Topic(this, 'HeartbeatTopic', {
      displayName: `${props.namePrefix} alerting heartbeat`,
      masterKey: props.key,
      enforceSSL: true,
    });

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
    const ready = (port: number, path = '/-/ready') => ({
      command: ['CMD', 'wget', '-q', '--spider', `http://127.0.0.1:${port}${path}`],
      interval: Duration.seconds(15),
      timeout: Duration.seconds(5),
      retries: 3,
      startPeriod: Duration.seconds(30),
    });

    // The ECS discovery sidecar: the app service's RUNNING tasks as Prometheus HTTP SD targets, on loopback.
    const ecsSdHardening = { user: SIDECAR_USER };
    const discovered = discoveryOf(props.appService.service);
    const ecsSd = this.taskDefinition.addContainer('ecs-sd', {
      image: props.images.ecsSd,
      essential: true,
      environment: {
        ECS_CLUSTER: props.appService.clusterName,
        ECS_SERVICE: discovered.ecsServiceName,
        ECS_CONTAINER: discovered.containerName,
        // Without metrics no scrape job reads the targets (the service's own port then); the sidecar still reports
        // the service's desired task count.
        METRICS_PORT: String(discovered.metricsPort ?? props.appService.service.port),
        LISTEN_PORT: String(ECS_SD_PORT),
        NODE_OPTIONS: `--max-old-space-size=${ECS_SD_HEAP_MIB}`,
      },
      memoryLimitMiB: ECS_SD_MEMORY_LIMIT_MIB,
      healthCheck: {
        command: [
          'CMD',
          'node',
          '-e',
          `fetch('http://127.0.0.1:${ECS_SD_PORT}/-/healthy').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))`,
        ],
        interval: Duration.seconds(30),
        timeout: Duration.seconds(5),
        retries: 3,
        startPeriod: Duration.seconds(15),
      },
      logging: logging('ecs-sd'),
      ...hardenedOptions(this, 'EcsSd', ecsSdHardening),
    });
    // Read-only ECS calls, scoped to the app service's cluster (service authorization reference:
    // https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonelasticcontainerservice.html —
    // ListTasks has no resource type usable on Fargate and DescribeTasks' task ids are not known in advance: both are
    // limited by the ecs:cluster condition).
    const clusterArn = stack.formatArn({
      service: 'ecs',
      resource: 'cluster',
      resourceName: props.appService.clusterName,
    });
    const onAppCluster = { ArnEquals: { 'ecs:cluster': clusterArn } };
    const taskRole = this.taskDefinition.taskRole;
    taskRole.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['ecs:ListTasks'], resources: ['*'], conditions: onAppCluster }),
    );
    taskRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['ecs:DescribeTasks'],
        resources: [this.describeTasksResource],
        conditions: onAppCluster,
      }),
    );
    taskRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['ecs:DescribeServices'],
        resources: [
          stack.formatArn({
            service: 'ecs',
            resource: 'service',
            resourceName: `${props.appService.clusterName}/${discovered.ecsServiceName}`,
          }),
        ],
      }),
    );

    const prometheusHardening = { user: NOBODY, dataPaths: [{ volume: 'prometheus-data', path: '/prometheus' }] };
    const remoteWrite: Record<string, string> = config.remoteWrite
      ? { AMP_REMOTE_WRITE_URL: ampRemoteWriteUrl(config.remoteWrite.workspaceArn), AWS_REGION: stack.region }
      : {};
    const prometheus = this.taskDefinition.addContainer('prometheus', {
      image: props.images.prometheus,
      essential: true,
      // The image's entrypoint adds --config.file and the expand-external-labels feature (env label).
      command: [
        '--storage.tsdb.path=/prometheus',
        `--storage.tsdb.retention.time=${config.prometheus.retentionDays}d`,
        `--storage.tsdb.retention.size=${config.prometheus.retentionSizeGiB}GB`,
        `--web.listen-address=:${PROMETHEUS_PORT}`,
      ],
      environment: { NODEAPP_ENV: props.envName, ...remoteWrite },
      portMappings: [{ name: 'prometheus', containerPort: PROMETHEUS_PORT }],
      healthCheck: ready(PROMETHEUS_PORT),
      logging: logging('prometheus'),
      stopTimeout: Duration.seconds(30),
      ...hardenedOptions(this, 'Prometheus', prometheusHardening),
    });
    mountDataPaths(this.taskDefinition, prometheus, prometheusHardening);
    prometheus.addContainerDependencies({ container: ecsSd, condition: ecs.ContainerDependencyCondition.START });
    if (config.remoteWrite) {
      taskRole.addToPrincipalPolicy(
        new iam.PolicyStatement({ actions: ['aps:RemoteWrite'], resources: [config.remoteWrite.workspaceArn] }),
      );
    }

    const alertmanagerHardening = { user: NOBODY, dataPaths: [{ volume: 'alertmanager-data', path: '/alertmanager' }] };
    const alertmanager = this.taskDefinition.addContainer('alertmanager', {
      image: props.images.alertmanager,
      essential: true,
      // The image's entrypoint renders the config for this environment and adds --config.file.
      command: [
        '--storage.path=/alertmanager',
        `--web.listen-address=:${ALERTMANAGER_PORT}`,
        // One instance: no gossip cluster (and no listener on 9094).
        '--cluster.listen-address=',
      ],
      portMappings: [{ name: 'alertmanager', containerPort: ALERTMANAGER_PORT }],
      healthCheck: ready(ALERTMANAGER_PORT),
      logging: logging('alertmanager'),
      environment: {
        SNS_TOPIC_ARN: props.alarmTopic.topicArn,
        HEARTBEAT_TOPIC_ARN: this.heartbeatTopic.topicArn,
        ...(props.chatTopic ? { CHAT_TOPIC_ARN: props.chatTopic.topicArn } : {}),
        AWS_REGION: stack.region,
        GRAFANA_URL: props.grafanaUrl,
        RUNBOOK_URL: props.runbookUrl,
      },
      secrets: {
        HEARTBEAT_URL: ecs.Secret.fromSecretsManager(this.receiversSecret, 'heartbeat_url'),
      },
      ...hardenedOptions(this, 'Alertmanager', alertmanagerHardening),
    });
    mountDataPaths(this.taskDefinition, alertmanager, alertmanagerHardening);
    // SNS receivers: sns:Publish on the alarm, heartbeat (and chat) topics, and their KMS keys (encrypted topics), with
    // the task role (SigV4).
    props.alarmTopic.grantPublish(taskRole);
    this.heartbeatTopic.grantPublish(taskRole);
    props.chatTopic?.grantPublish(taskRole);
    acknowledge(
      this.taskDefinition,
      'AwsSolutions-ECS2',
      'Plain, non-secret settings (environment name, topic ARN, URLs); the optional heartbeat URL is an ECS secret.',
    );

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: `${props.namePrefix} Prometheus + Alertmanager: Prometheus port from Grafana only`,
      // Scrapes the service tasks; calls the ECS, SNS (and AMP) APIs and the optional heartbeat URL; pulls images.
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
