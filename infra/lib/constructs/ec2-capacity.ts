import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import type { CpuArchitecture, Ec2CapacityConfig } from '../../config/types.ts';
import { acknowledge } from '../nag.ts';

export interface Ec2CapacityProps {
  readonly config: Ec2CapacityConfig;
  readonly cpuArchitecture: CpuArchitecture;
  readonly cluster: ecs.Cluster;
  readonly vpc: ec2.IVpc;
}

/**
 * The EC2 launch type option: a launch template on the ECS-optimized Amazon Linux 2023 AMI (resolved from
 * its public SSM parameter at deploy time, no lookup at synth), IMDSv2 only, encrypted gp3 root volume,
 * SSM Session Manager instead of SSH (no key pair, no inbound rule), in an Auto Scaling group registered as
 * the cluster's capacity provider with managed scaling and managed termination protection.
 */
export class Ec2Capacity extends Construct {
  readonly autoScalingGroup: autoscaling.AutoScalingGroup;
  readonly capacityProvider: ecs.AsgCapacityProvider;
  readonly instanceRole: iam.Role;
  readonly securityGroup: ec2.SecurityGroup;

  constructor(scope: Construct, id: string, props: Ec2CapacityProps) {
    super(scope, id);
    const { config } = props;
    const hardware = props.cpuArchitecture === 'ARM64' ? ecs.AmiHardwareType.ARM : ecs.AmiHardwareType.STANDARD;

    this.instanceRole = new iam.Role(this, 'InstanceRole', {
      assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
      description: 'ECS container instances: the ECS agent and SSM Session Manager',
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonSSMManagedInstanceCore')],
    });
    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'ECS container instances: no inbound at all (Session Manager, no SSH)',
      allowAllOutbound: true,
    });

    const userData = ec2.UserData.forLinux();
    // Tasks (awsvpc) must not read the instance's credentials from IMDS.
    userData.addCommands('echo ECS_AWSVPC_BLOCK_IMDS=true >> /etc/ecs/ecs.config');
    const launchTemplate = new ec2.LaunchTemplate(this, 'LaunchTemplate', {
      machineImage: ecs.EcsOptimizedImage.amazonLinux2023(hardware),
      instanceType: new ec2.InstanceType(config.instanceType),
      requireImdsv2: true,
      httpPutResponseHopLimit: 1,
      role: this.instanceRole,
      securityGroup: this.securityGroup,
      userData,
      detailedMonitoring: true,
      blockDevices: [
        {
          deviceName: '/dev/xvda',
          volume: ec2.BlockDeviceVolume.ebs(config.rootVolumeGiB, {
            encrypted: true,
            volumeType: ec2.EbsDeviceVolumeType.GP3,
            deleteOnTermination: true,
          }),
        },
      ],
    });

    this.autoScalingGroup = new autoscaling.AutoScalingGroup(this, 'Group', {
      vpc: props.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      launchTemplate,
      minCapacity: config.minInstances,
      maxCapacity: config.maxInstances,
    });
    this.capacityProvider = new ecs.AsgCapacityProvider(this, 'CapacityProvider', {
      autoScalingGroup: this.autoScalingGroup,
      enableManagedScaling: true,
      enableManagedTerminationProtection: true,
      targetCapacityPercent: 100,
      machineImageType: ecs.MachineImageType.AMAZON_LINUX_2,
    });
    props.cluster.addAsgCapacityProvider(this.capacityProvider);

    // Added by addAsgCapacityProvider: what the ECS agent needs on the instance.
    const agentPolicy = this.instanceRole.node.tryFindChild('DefaultPolicy');
    if (agentPolicy) {
      acknowledge(
        agentPolicy,
        'AwsSolutions-IAM5[Resource::*]',
        'ECS agent: ecs:DiscoverPollEndpoint, ecr:GetAuthorizationToken and logs:CreateLogStream-style calls have no resource-level permissions (AWS documents "*"); cluster actions are scoped to this cluster.',
      );
      acknowledge(
        agentPolicy,
        'AwsSolutions-IAM5[Action::ecs:Submit*]',
        'ECS agent: the Submit* family (container, task, attachment state changes) on this cluster only, as aws-cdk-lib grants it.',
      );
    }
    acknowledge(
      this.autoScalingGroup,
      'AwsSolutions-AS3',
      'Scaling is driven by the ECS capacity provider; its events and the service alarms already reach the alarm topic.',
    );
    acknowledge(
      this.instanceRole,
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonSSMManagedInstanceCore]',
      'Session Manager (instead of SSH) needs exactly the AWS managed core policy for the SSM agent.',
    );
  }
}
