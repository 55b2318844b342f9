import type { ServiceContract } from '@nodeapp/contract';
import { Duration, RemovalPolicy, Stack, TimeZone } from 'aws-cdk-lib';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as servicediscovery from 'aws-cdk-lib/aws-servicediscovery';
import { Construct, type IConstruct } from 'constructs';
import type { DeploymentConfig, ServiceConfig } from '../../config/types.ts';
import type { SmokeRequest } from '../../lambda/smoke-hook/index.ts';
import { acknowledge, nagRef } from '../nag.ts';
import type { AppTaskDefinition } from './app-task-definition.ts';
import { SmokeHook } from './smoke-hook.ts';

/**
 * Canary and blue/green: the internal ALB's test listener (HTTP, reachable only from the smoke hook's security
 * group; CloudFront's VPC origin uses the production listener only).
 */
export const TEST_LISTENER_PORT = 8080;
/**
 * Canary and blue/green: priority of the production rule (`/*`, every path) that ECS re-weights between the two
 * target groups. The last priority ALB allows, so path rules of other services (Grafana's /grafana) come first.
 */
export const APP_RULE_PRIORITY = 50000;

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
  /** How a release replaces the running one (rolling, canary or blue/green) and its times. */
  readonly deployment: DeploymentConfig;
  /** The contract's smoke requests that need no edge: what the canary and blue/green hook sends to the test listener. */
  readonly smokeRequests: readonly SmokeRequest[];
  /** Log retention of the smoke hook (canary and blue/green). */
  readonly hookLogRetentionDays: number;
  /** Removal policy of the smoke hook's log group. @default RemovalPolicy.DESTROY */
  readonly hookLogRemovalPolicy?: RemovalPolicy;
}

/**
 * ECS's deployment settings for a strategy (the service's `deploymentConfiguration`):
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-ecs-service-deploymentconfiguration.html
 */
export function deploymentOptions(deployment: DeploymentConfig): Partial<ecs.BaseServiceOptions> {
  switch (deployment.strategy) {
    case 'rolling':
      return { deploymentStrategy: ecs.DeploymentStrategy.ROLLING };
    case 'canary':
      return {
        deploymentStrategy: ecs.DeploymentStrategy.CANARY,
        canaryConfiguration: {
          stepPercent: deployment.canaryPercent,
          stepBakeTime: Duration.minutes(deployment.canaryBakeMinutes),
        },
        bakeTime: Duration.minutes(deployment.bakeMinutes),
      };
    case 'blue-green':
      return {
        deploymentStrategy: ecs.DeploymentStrategy.BLUE_GREEN,
        bakeTime: Duration.minutes(deployment.bakeMinutes),
      };
  }
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
 * The ECS service named after the contract, behind the ALB (health check on the contract's readiness path),
 * registered in Cloud Map as `<name>.<namespace>` with an SRV record on the metrics port when the contract has
 * metrics, with target-tracking autoscaling on CPU, memory (and requests per target when rolling).
 * Rolling: tasks replaced in place, never below desired (100 %/200 %), circuit breaker with rollback.
 * Canary and blue/green (ECS-native, config `deployment`): a second target group, a production listener rule ECS
 * re-weights between the two, a test listener rule on the test listener, and the smoke hook at
 * POST_TEST_TRAFFIC_SHIFT; the deployment alarms (Service stack) roll back during the shift and the bake.
 */
export class AppService extends Construct {
  readonly service: ecs.FargateService | ecs.Ec2Service;
  /** The target group of the first release; canary and blue/green alternate between it and `alternateTargetGroup`. */
  readonly targetGroup: elbv2.ApplicationTargetGroup;
  /** Canary and blue/green: the other target group (each release lands in the one not serving production). */
  readonly alternateTargetGroup?: elbv2.ApplicationTargetGroup;
  /** Canary and blue/green: the hook that smoke-tests a release on the test listener. */
  readonly smokeHook?: SmokeHook;
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
      ...deploymentOptions(props.deployment),
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

    const targetGroup = (id: string) =>
      new elbv2.ApplicationTargetGroup(this, id, {
        vpc: props.vpc,
        port: service.port,
        protocol: elbv2.ApplicationProtocol.HTTP,
        targetType: elbv2.TargetType.IP,
        // The contract's drainSeconds: 300 s (the default) would stall every deploy; the service drains in
        // SHUTDOWN_DRAIN_SECONDS anyway.
        deregistrationDelay: Duration.seconds(service.drainSeconds),
        // A new task can be warmed before it answers ready (WARMUP_ROUNDS, off by default: app/src/warmup.ts); slow
        // start ramps its share of requests up linearly over the minimum ALB allows, for what warm-up cannot reach
        // (the ALB's new connections, the JIT under real traffic): BENCHMARKS.md "Warm start". It applies only while another healthy target outside slow
        // start is in the group, and not with the weighted_random algorithm (these groups keep the default
        // round_robin): https://docs.aws.amazon.com/elasticloadbalancing/latest/application/edit-target-group-attributes.html#slow-start-mode
        // A rolling deployment keeps old healthy targets in the group, so its new tasks ramp up; blue/green and
        // canary register the new tasks in the other group, whose first targets get no slow start: there the
        // listener's gradual traffic shift is the gentle start.
        slowStart: Duration.seconds(30),
        healthCheck: {
          path: service.health.readiness,
          interval: Duration.seconds(10),
          timeout: Duration.seconds(5),
          healthyThresholdCount: 2,
          unhealthyThresholdCount: 3,
          healthyHttpCodes: '200',
        },
      });
    this.targetGroup = targetGroup('TargetGroup');
    const target = { containerName: service.name, containerPort: service.port };
    // The listener's default action: the whole site when rolling; never reached under canary/blue-green (the
    // production rule matches every path) but kept a forward: ECS refuses listeners mixing forward and non-forward
    // actions (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/alb-resources-for-blue-green.html).
    props.listener.addTargetGroups('App', { targetGroups: [this.targetGroup] });
    const progressive = props.deployment.strategy !== 'rolling';
    if (!progressive) {
      this.targetGroup.addTarget(this.service.loadBalancerTarget(target));
    } else {
      const alternate = targetGroup('AlternateTargetGroup');
      this.alternateTargetGroup = alternate;
      this.smokeHook = this.addProgressiveTraffic(props, alternate, target);
    }

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
    // Requests per target is a metric of ONE target group (ALBRequestCountPerTarget); under canary/blue-green the
    // production traffic moves to the other group every release, so the policy would read 0 after every other deploy
    // and scale in to minCount. Target tracking takes no metric math over both groups
    // (https://docs.aws.amazon.com/autoscaling/application/userguide/application-auto-scaling-target-tracking-metric-math.html
    // exists in the API, not in aws-cdk-lib's ScalableTaskCount), so those strategies scale on CPU and memory only.
    if (!progressive) {
      this.scaling.scaleOnRequestCount('Requests', {
        requestsPerTarget: service.autoscaling.requestsPerTarget ?? config.targetRequestsPerTarget,
        targetGroup: this.targetGroup,
        ...cooldowns,
      });
    }
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

  /**
   * Canary/blue-green wiring (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/alb-resources-for-blue-green.html):
   * the production rule and the test rule each forward to both target groups, weighted 100/0 at creation; ECS
   * rewrites those weights during every deployment (and leaves them on whichever group serves the release).
   * Known limits, guarded by infra/test/app-service.test.ts:
   * - CloudFormation puts the rules back to these template weights whenever it updates a rule, which can send all
   *   traffic to the drained group (https://github.com/aws/aws-cdk/issues/36649). An image-only deploy must leave
   *   both rules (and both listeners) byte-identical in the template, so CloudFormation never touches them.
   * - The live weights differ from the template after a deploy: drift detection reports it; it is expected.
   * - ALB slow start does not apply to the new release: its targets register in an empty target group, and
   *   targets enter slow start only when the group already has a healthy target that is not in slow start
   *   (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/edit-target-group-attributes.html#slow-start-mode);
   *   the canary step is the warm-up.
   */
  private addProgressiveTraffic(
    props: AppServiceProps,
    alternate: elbv2.ApplicationTargetGroup,
    target: { containerName: string; containerPort: number },
  ): SmokeHook {
    const weighted = () =>
      elbv2.ListenerAction.weightedForward([
        { targetGroup: this.targetGroup, weight: 100 },
        { targetGroup: alternate, weight: 0 },
      ]);
    const everyPath = [elbv2.ListenerCondition.pathPatterns(['/*'])];
    const production = new elbv2.ApplicationListenerRule(this, 'ProductionRule', {
      listener: props.listener,
      priority: APP_RULE_PRIORITY,
      conditions: everyPath,
      action: weighted(),
    });
    const testListener = props.listener.loadBalancer.addListener('Test', {
      port: TEST_LISTENER_PORT,
      protocol: elbv2.ApplicationProtocol.HTTP,
      open: false,
      defaultTargetGroups: [this.targetGroup],
    });
    const test = new elbv2.ApplicationListenerRule(this, 'TestRule', {
      listener: testListener,
      priority: 1,
      conditions: everyPath,
      action: weighted(),
    });
    this.targetGroup.addTarget(
      this.service.loadBalancerTarget({
        ...target,
        alternateTarget: new ecs.AlternateTarget('Alternate', {
          role: this.loadBalancerRole(),
          alternateTargetGroup: alternate,
          productionListener: ecs.ListenerRuleConfiguration.applicationListenerRule(production),
          testListener: ecs.ListenerRuleConfiguration.applicationListenerRule(test),
        }),
      }),
    );
    const hook = new SmokeHook(this, 'SmokeHook', {
      vpc: props.vpc,
      testListenerUrl: `http://${props.listener.loadBalancer.loadBalancerDnsName}:${TEST_LISTENER_PORT}`,
      requests: props.smokeRequests,
      logRetentionDays: props.hookLogRetentionDays,
      removalPolicy: props.hookLogRemovalPolicy ?? RemovalPolicy.DESTROY,
      // The app's own key (its policy already lets CloudWatch Logs of this account use it).
      logKey: props.task.key,
    });
    testListener.connections.allowDefaultPortFrom(hook.securityGroup, 'Deployment smoke hook');
    this.service.addLifecycleHook(hook.target);
    return hook;
  }

  /** The role ECS uses to re-weight the listener rules and (de)register targets during a canary/blue-green deploy. */
  private loadBalancerRole(): iam.Role {
    const role = new iam.Role(this, 'LoadBalancerRole', {
      assumedBy: new iam.ServicePrincipal('ecs.amazonaws.com'),
      description: 'ECS shifts traffic between the app target groups (canary, blue/green)',
      managedPolicies: [
        iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonECSInfrastructureRolePolicyForLoadBalancers'),
      ],
    });
    acknowledge(
      role,
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonECSInfrastructureRolePolicyForLoadBalancers]',
      'The policy AWS documents for ECS blue/green, canary and linear traffic shifts (listener rules, target registration): https://docs.aws.amazon.com/AmazonECS/latest/developerguide/AmazonECSInfrastructureRolePolicyForLoadBalancers.html',
    );
    return role;
  }
}
