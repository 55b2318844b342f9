import type { ServiceContract } from '@nodeapp/contract';
import { Duration, Stack, TimeZone } from 'aws-cdk-lib';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as servicediscovery from 'aws-cdk-lib/aws-servicediscovery';
import { Construct, type IConstruct } from 'constructs';
import type { ServiceConfig } from '../../config/types.ts';
import { acknowledge, nagRef } from '../nag.ts';
import type { AppTaskDefinition } from './app-task-definition.ts';

export interface AppServiceProps {
  readonly config: ServiceConfig;
  /** The service's contract: its name (ECS service, Cloud Map name), port, readiness path, drain and request target. */
  readonly service: ServiceContract;
  readonly cluster: ecs.ICluster;
  readonly vpc: ec2.IVpc;
  readonly task: AppTaskDefinition;
  readonly listener: elbv2.ApplicationListener;
  readonly namespace: servicediscovery.INamespace;
  /** Run on this EC2 capacity provider (Ec2Service) instead of Fargate. */
  readonly ec2CapacityProvider?: ecs.AsgCapacityProvider;
  /** ECS Exec session log group (cluster construct), when exec is on. */
  readonly execLogGroup?: IConstruct;
}

/** FARGATE base + weights from config; providers with neither base nor weight are left out. */
export function fargateStrategy(config: ServiceConfig): ecs.CapacityProviderStrategy[] {
  const strategy: ecs.CapacityProviderStrategy[] = [];
  if (config.fargateBase > 0 || config.fargateWeight > 0) {
    strategy.push({ capacityProvider: 'FARGATE', base: config.fargateBase, weight: config.fargateWeight });
  }
  if (config.fargateSpotWeight > 0)
    strategy.push({ capacityProvider: 'FARGATE_SPOT', weight: config.fargateSpotWeight });
  return strategy;
}

/**
 * The ECS service named after the contract: rolling deploys that never drop below desired (100 %/200 %), circuit
 * breaker with rollback, behind the ALB (health check on the contract's readiness path), registered in Cloud Map as
 * `<name>.<namespace>` with an SRV record on the metrics port when the contract has metrics, and target-tracking
 * autoscaling on CPU, memory and requests per target.
 */
export class AppService extends Construct {
  readonly service: ecs.FargateService | ecs.Ec2Service;
  readonly targetGroup: elbv2.ApplicationTargetGroup;
  /** The tasks' security group: allow Prometheus on the contract's metrics port here. */
  readonly securityGroup: ec2.SecurityGroup;
  readonly scaling: ecs.ScalableTaskCount;

  constructor(scope: Construct, id: string, props: AppServiceProps) {
    super(scope, id);
    const { config, service } = props;

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: `${service.name} tasks: app port from the ALB only`,
      // Tasks call ECR, CloudWatch Logs, Secrets Manager and the database through the NAT/VPC.
      allowAllOutbound: true,
    });

    const common: ecs.BaseServiceOptions & {
      taskDefinition: ecs.TaskDefinition;
      vpcSubnets: ec2.SubnetSelection;
      securityGroups: ec2.ISecurityGroup[];
    } = {
      serviceName: service.name,
      cluster: props.cluster,
      taskDefinition: props.task.taskDefinition,
      // No DesiredCount: with one in the template every deploy resets the running count to it (prod at 12 tasks
      // would drop to 3). Omitted, ECS starts 1 task on create and leaves the count alone on update
      // (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-ecs-service.html#cfn-ecs-service-desiredcount);
      // registering the scalable target moves it into [minCount, maxCount]
      // (https://docs.aws.amazon.com/autoscaling/application/APIReference/API_RegisterScalableTarget.html).
      desiredCount: undefined,
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      circuitBreaker: { enable: true, rollback: true },
      healthCheckGracePeriod: Duration.seconds(config.healthCheckGracePeriodSeconds),
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      securityGroups: [this.securityGroup],
      enableExecuteCommand: config.ecsExec,
      propagateTags: ecs.PropagatedTagSource.SERVICE,
      enableECSManagedTags: true,
      cloudMapOptions: service.metrics && {
        cloudMapNamespace: props.namespace,
        name: service.name,
        dnsRecordType: servicediscovery.DnsRecordType.SRV,
        dnsTtl: Duration.seconds(10),
        container: props.task.container,
        containerPort: service.metrics.port,
      },
    };
    this.service = props.ec2CapacityProvider
      ? new ecs.Ec2Service(this, 'Service', {
          ...common,
          capacityProviderStrategies: [{ capacityProvider: props.ec2CapacityProvider.capacityProviderName, weight: 1 }],
          placementStrategies: [
            ecs.PlacementStrategy.spreadAcross(ecs.BuiltInAttributes.AVAILABILITY_ZONE),
            ecs.PlacementStrategy.packedByMemory(),
          ],
        })
      : new ecs.FargateService(this, 'Service', {
          ...common,
          capacityProviderStrategies: fargateStrategy(config),
          assignPublicIp: false,
        });

    this.targetGroup = new elbv2.ApplicationTargetGroup(this, 'TargetGroup', {
      vpc: props.vpc,
      port: service.port,
      protocol: elbv2.ApplicationProtocol.HTTP,
      targetType: elbv2.TargetType.IP,
      // The contract's drainSeconds: 300 s (the default) would stall every deploy; the service drains in
      // SHUTDOWN_DRAIN_SECONDS anyway.
      deregistrationDelay: Duration.seconds(service.drainSeconds),
      healthCheck: {
        path: service.health.readiness,
        interval: Duration.seconds(10),
        timeout: Duration.seconds(5),
        healthyThresholdCount: 2,
        unhealthyThresholdCount: 3,
        healthyHttpCodes: '200',
      },
      targets: [this.service.loadBalancerTarget({ containerName: service.name, containerPort: service.port })],
    });
    props.listener.addTargetGroups('App', { targetGroups: [this.targetGroup] });

    this.scaling = this.service.autoScaleTaskCount({ minCapacity: config.minCount, maxCapacity: config.maxCount });
    const cooldowns = {
      scaleInCooldown: Duration.seconds(config.scaleInCooldownSeconds),
      scaleOutCooldown: Duration.seconds(config.scaleOutCooldownSeconds),
    };
    this.scaling.scaleOnCpuUtilization('Cpu', { targetUtilizationPercent: config.targetCpuPercent, ...cooldowns });
    this.scaling.scaleOnMemoryUtilization('Memory', {
      targetUtilizationPercent: config.targetMemoryPercent,
      ...cooldowns,
    });
    this.scaling.scaleOnRequestCount('Requests', {
      requestsPerTarget: service.autoscaling.requestsPerTarget ?? config.targetRequestsPerTarget,
      targetGroup: this.targetGroup,
      ...cooldowns,
    });
    if (config.scaleToZero) {
      const timeZone = TimeZone.of(config.scaleToZero.timeZone);
      this.scaling.scaleOnSchedule('StopOutsideWorkingHours', {
        schedule: appscaling.Schedule.expression(config.scaleToZero.stopCron),
        timeZone,
        minCapacity: 0,
        maxCapacity: 0,
      });
      this.scaling.scaleOnSchedule('StartForWorkingHours', {
        schedule: appscaling.Schedule.expression(config.scaleToZero.startCron),
        timeZone,
        minCapacity: config.minCount,
        maxCapacity: config.maxCount,
      });
    }

    if (config.ecsExec) {
      const taskPolicy = props.task.taskRole.node.tryFindChild('DefaultPolicy');
      if (taskPolicy) {
        acknowledge(
          taskPolicy,
          'AwsSolutions-IAM5[Resource::*]',
          'ECS Exec: ssmmessages:Create/OpenControl/DataChannel and logs:DescribeLogGroups support no resource-level permissions (AWS documents "*").',
        );
        if (props.execLogGroup) {
          const { region, account } = Stack.of(this);
          acknowledge(
            taskPolicy,
            `AwsSolutions-IAM5[Resource::arn:aws:logs:${region}:${account}:log-group:${nagRef(props.execLogGroup)}:*]`,
            'ECS Exec: write session logs as streams of the one exec log group (stream names are per session).',
          );
        }
      }
    }
  }
}
