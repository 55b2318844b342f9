import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { ContainerInsightsMode } from '../../config/types.ts';
import { acknowledge } from '../nag.ts';
import { allowCloudWatchLogs, encryptedLogGroup } from './encrypted-log-group.ts';

export interface ClusterProps {
  readonly vpc: ec2.IVpc;
  readonly clusterName: string;
  readonly containerInsights: ContainerInsightsMode;
  /** Enables ECS Exec sessions, encrypted with a KMS key and logged to an encrypted log group. */
  readonly ecsExec: boolean;
  readonly logRetentionDays: number;
  readonly retainData: boolean;
}

const INSIGHTS: Record<ContainerInsightsMode, ecs.ContainerInsights> = {
  disabled: ecs.ContainerInsights.DISABLED,
  enabled: ecs.ContainerInsights.ENABLED,
  enhanced: ecs.ContainerInsights.ENHANCED,
};

/**
 * ECS cluster with FARGATE and FARGATE_SPOT capacity providers, Container Insights per config, and Fargate
 * ephemeral storage encrypted with a customer-managed key whose policy carries what ECS requires.
 */
export class Cluster extends Construct {
  readonly cluster: ecs.Cluster;
  readonly ephemeralStorageKey: kms.Key;
  /** Present when ECS Exec is on. */
  readonly execKey?: kms.Key;
  readonly execLogGroup?: logs.LogGroup;

  constructor(scope: Construct, id: string, props: ClusterProps) {
    super(scope, id);
    const removalPolicy = props.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    // Single-Region key (the KMS default) with rotation, as ECS requires for managed storage.
    this.ephemeralStorageKey = new kms.Key(this, 'EphemeralStorageKey', {
      description: `Fargate ephemeral storage of ${props.clusterName}`,
      enableKeyRotation: true,
      multiRegion: false,
      removalPolicy,
      pendingWindow: Duration.days(7),
    });
    // aws-cdk-lib adds the key policy statements ECS requires when this key is the cluster's managed storage
    // key: fargate.amazonaws.com may GenerateDataKeyWithoutPlaintext and CreateGrant (Decrypt only), each
    // conditioned on aws:ecs:clusterAccount and aws:ecs:clusterName (test/cluster.test.ts checks them).

    let executeCommandConfiguration: ecs.ExecuteCommandConfiguration | undefined;
    if (props.ecsExec) {
      this.execKey = new kms.Key(this, 'ExecKey', {
        description: `ECS Exec sessions and their logs in ${props.clusterName}`,
        enableKeyRotation: true,
        removalPolicy,
        pendingWindow: Duration.days(7),
      });
      allowCloudWatchLogs(this.execKey, this);
      this.execLogGroup = encryptedLogGroup(this, 'ExecLogGroup', {
        key: this.execKey,
        retentionDays: props.logRetentionDays,
        removalPolicy,
      });
      executeCommandConfiguration = {
        kmsKey: this.execKey,
        logging: ecs.ExecuteCommandLogging.OVERRIDE,
        logConfiguration: { cloudWatchLogGroup: this.execLogGroup, cloudWatchEncryptionEnabled: true },
      };
    }

    this.cluster = new ecs.Cluster(this, 'Cluster', {
      clusterName: props.clusterName,
      vpc: props.vpc,
      enableFargateCapacityProviders: true,
      containerInsightsV2: INSIGHTS[props.containerInsights],
      managedStorageConfiguration: { fargateEphemeralStorageKmsKey: this.ephemeralStorageKey },
      executeCommandConfiguration,
    });
    if (props.containerInsights === 'disabled') {
      acknowledge(
        this.cluster,
        'AwsSolutions-ECS4',
        'Container Insights is off by config in this environment (cost, docs/finops.md): Prometheus/Grafana and the ECS service CPU/memory metrics cover it; the tasks-below-desired alarm is then not created.',
      );
    }
  }
}
