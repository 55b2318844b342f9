import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as servicediscovery from 'aws-cdk-lib/aws-servicediscovery';
import type { Construct } from 'constructs';
import type { EnvironmentConfig } from '../../config/types.ts';
import { METRICS_PORT } from '../constructs/app-task-definition.ts';
import { allowCloudWatchLogs, encryptedLogGroup } from '../constructs/encrypted-log-group.ts';
import { GRAFANA_PATH, MonitoringGrafana } from '../constructs/monitoring-grafana.ts';
import {
  ALERTMANAGER_PORT,
  MonitoringPrometheus,
  PROMETHEUS_CLOUD_MAP_NAME,
  PROMETHEUS_PORT,
} from '../constructs/monitoring-prometheus.ts';
import { acknowledge } from '../nag.ts';
import type { ServiceStack } from './service-stack.ts';

export interface MonitoringStackProps extends StackProps {
  readonly config: EnvironmentConfig;
  readonly vpc: ec2.IVpc;
  readonly namespace: servicediscovery.INamespace;
  /** Cluster, ALB listener, CloudFront edge and the app service's security group come from here. */
  readonly service: ServiceStack;
}

/**
 * `Nodeapp-<env>-Monitoring`: Prometheus + Alertmanager (one task) and Grafana (its own service) on the service's
 * cluster. Prometheus finds the app tasks through Cloud Map (SRV app.nodeapp.internal) and is the only one allowed
 * on their metrics port; Grafana is served at <PublicUrl>/grafana/ through CloudFront → ALB.
 */
export class MonitoringStack extends Stack {
  readonly prometheus: MonitoringPrometheus;
  readonly grafana: MonitoringGrafana;

  constructor(scope: Construct, id: string, props: MonitoringStackProps) {
    super(scope, id, props);
    const { config, service } = props;
    const namePrefix = `Nodeapp-${config.name}`;
    const removalPolicy = config.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    const cluster = service.cluster as ecs.Cluster;
    // No ECS Exec here: Prometheus is queried through Grafana (Explore), and exec would widen both task roles.
    const ecsExec = false;

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
      serviceMemoryMiB: config.service.memoryMiB,
      alertEmails: config.alarms.emails,
      logGroup,
      key,
      ecsExec,
      namePrefix,
    });

    // Only Prometheus may reach the service's metrics port (the rule lives here: the Service stack must not
    // depend on this one).
    new ec2.CfnSecurityGroupIngress(this, 'AppMetricsFromPrometheus', {
      groupId: service.appService.securityGroup.securityGroupId,
      sourceSecurityGroupId: this.prometheus.securityGroup.securityGroupId,
      ipProtocol: 'tcp',
      fromPort: METRICS_PORT,
      toPort: METRICS_PORT,
      description: 'Prometheus scrapes the service metrics',
    });

    this.grafana = new MonitoringGrafana(this, 'Grafana', {
      config: config.monitoring,
      cluster,
      vpc: props.vpc,
      architecture: config.service.cpuArchitecture,
      prometheusUrl: `http://${PROMETHEUS_CLOUD_MAP_NAME}.${props.namespace.namespaceName}:${PROMETHEUS_PORT}`,
      alertmanagerUrl: `http://${PROMETHEUS_CLOUD_MAP_NAME}.${props.namespace.namespaceName}:${ALERTMANAGER_PORT}`,
      publicUrl: service.publicUrl,
      listener: service.loadBalancer.listener,
      distribution: service.edge.distribution,
      albOrigin: service.edge.albOrigin,
      logGroup,
      key,
      ecsExec,
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

    this.acknowledgeFindings();

    new CfnOutput(this, 'GrafanaUrl', {
      value: `${service.publicUrl}${GRAFANA_PATH}/`,
      description: 'Grafana (user admin)',
    });
    new CfnOutput(this, 'GrafanaAdminSecretArn', { value: this.grafana.adminPassword.secretArn });
    new CfnOutput(this, 'AlertmanagerSecretArn', {
      value: this.prometheus.receiversSecret.secretArn,
      description: 'Put slack_webhook_url, smtp_auth_username, smtp_auth_password here, then redeploy prometheus',
    });
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
          'ECS agent: ecr:GetAuthorizationToken has no resource-level permission (AWS documents "*"); pulls are limited to the CDK asset repository.',
        );
      }
      const taskPolicy = part.node
        .tryFindChild('TaskDefinition')
        ?.node.tryFindChild('TaskRole')
        ?.node.tryFindChild('DefaultPolicy');
      if (taskPolicy) {
        acknowledge(
          taskPolicy,
          'AwsSolutions-IAM5[Resource::*]',
          'Read-only CloudWatch/tag APIs of the Grafana datasource: they support no resource-level permissions (AWS documents "*").',
        );
      }
    }
  }
}
