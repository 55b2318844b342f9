import { Duration, Stack, TimeZone } from 'aws-cdk-lib';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as servicediscovery from 'aws-cdk-lib/aws-servicediscovery';
import { Construct, type IConstruct } from 'constructs';
import type { ServiceConfig } from '../../config/types.ts';
import { acknowledge, nagRef } from '../nag.ts';
import { APP_CONTAINER_NAME, APP_PORT, type AppTaskDefinition, METRICS_PORT } from './app-task-definition.ts';

/** Cloud Map service name: Prometheus resolves `app.nodeapp.internal` (SRV → task IP + metrics port). */
export const CLOUD_MAP_SERVICE_NAME = 'app';

export interface AppServiceProps {
  readonly config: ServiceConfig;
  readonly cluster: ecs.ICluster;
  readonly vpc: ec2.IVpc;
  readonly task: AppTaskDefinition;
  readonly listener: elbv2.ApplicationListener;
  readonly namespace: servicediscovery.INamespace;
  readonly serviceName: string;
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
 * The ECS service: rolling deploys that never drop below desired (100 %/200 %), circuit breaker with rollback,
 * behind the ALB (health check /health/ready), registered in Cloud Map with an SRV record on the metrics port,
 * and target-tracking autoscaling on CPU, memory and requests per target.
 */
export class AppService extends Construct {
  readonly service: ecs.FargateService | ecs.Ec2Service;
  readonly targetGroup: elbv2.ApplicationTargetGroup;
  /** The tasks' security group: allow Prometheus on METRICS_PORT here. */
  readonly securityGroup: ec2.SecurityGroup;
  readonly scaling: ecs.ScalableTaskCount;

  constructor(scope: Construct, id: string, props: AppServiceProps) {
    super(scope, id);
    const { config } = props;

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: `${props.serviceName} tasks: app port from the ALB only`,
      // Tasks call ECR, CloudWatch Logs, Secrets Manager and the database through the NAT/VPC.
      allowAllOutbound: true,
    });

    const common: ecs.BaseServiceOptions & {
      taskDefinition: ecs.TaskDefinition;
      vpcSubnets: ec2.SubnetSelection;
      securityGroups: ec2.ISecurityGroup[];
    } = {
      serviceName: props.serviceName,
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
      cloudMapOptions: {
        cloudMapNamespace: props.namespace,
        name: CLOUD_MAP_SERVICE_NAME,
        dnsRecordType: servicediscovery.DnsRecordType.SRV,
        dnsTtl: Duration.seconds(10),
        container: props.task.container,
        containerPort: METRICS_PORT,
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
      port: APP_PORT,
      protocol: elbv2.ApplicationProtocol.HTTP,
      targetType: elbv2.TargetType.IP,
      // 300 s (the default) would stall every deploy; the service drains in SHUTDOWN_DRAIN_SECONDS anyway.
      deregistrationDelay: Duration.seconds(20),
      // A new task is warmed before it answers ready (app/src/warmup.ts); slow start ramps its share of requests up
      // linearly over the minimum ALB allows for what warm-up cannot reach (the ALB's new connections, the JIT
      // under real traffic): BENCHMARKS.md "Warm start". It applies only while another healthy target outside
      // slow start is in the group, and not with the weighted_random algorithm (this group keeps the default
      // round_robin): https://docs.aws.amazon.com/elasticloadbalancing/latest/application/edit-target-group-attributes.html#slow-start-mode
      // A rolling deployment keeps old healthy targets in the group, so its new tasks ramp up. A blue/green or canary
      // deployment registers the new tasks in the other target group: there the first targets get no slow start,
      // and the listener's gradual traffic shift is the gentle start instead.
      slowStart: Duration.seconds(30),
      healthCheck: {
        path: '/health/ready',
        interval: Duration.seconds(10),
        timeout: Duration.seconds(5),
        healthyThresholdCount: 2,
        unhealthyThresholdCount: 3,
        healthyHttpCodes: '200',
      },
      targets: [this.service.loadBalancerTarget({ containerName: APP_CONTAINER_NAME, containerPort: APP_PORT })],
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
      requestsPerTarget: config.targetRequestsPerTarget,
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
