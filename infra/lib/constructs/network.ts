import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as servicediscovery from 'aws-cdk-lib/aws-servicediscovery';
import { Construct } from 'constructs';
import type { NetworkConfig } from '../../config/types.ts';
import { acknowledge } from '../nag.ts';
import { allowCloudWatchLogs, encryptedLogGroup } from './encrypted-log-group.ts';

/** The private DNS namespace Prometheus discovers tasks in (`app.nodeapp.internal`, SRV). */
export const NAMESPACE_NAME = 'nodeapp.internal';

export interface NetworkProps {
  readonly config: NetworkConfig;
  readonly retainData: boolean;
}

/**
 * VPC with public (ALB-less: NAT only), private-with-egress (tasks) and isolated (database) subnets,
 * egress per config, an S3 gateway endpoint, KMS-encrypted flow logs and the Cloud Map namespace.
 */
export class Network extends Construct {
  readonly vpc: ec2.Vpc;
  readonly namespace: servicediscovery.PrivateDnsNamespace;
  readonly flowLogGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: NetworkProps) {
    super(scope, id);
    const { config } = props;
    const azCount = config.availabilityZones.length;

    let natGatewayProvider: ec2.NatProvider | undefined;
    let natGateways: number;
    let natInstance: ec2.NatInstanceProviderV2 | undefined;
    switch (config.egress) {
      case 'nat-per-az':
        natGateways = azCount;
        break;
      case 'single-nat':
        natGateways = 1;
        break;
      case 'nat-instance':
        // One t4g.nano instead of a NAT gateway: about a tenth of the cost, no redundancy (fine for dev).
        natInstance = ec2.NatProvider.instanceV2({
          instanceType: ec2.InstanceType.of(ec2.InstanceClass.T4G, ec2.InstanceSize.NANO),
          machineImage: ec2.MachineImage.latestAmazonLinux2023({ cpuType: ec2.AmazonLinuxCpuType.ARM_64 }),
          defaultAllowedTraffic: ec2.NatTrafficDirection.OUTBOUND_ONLY,
          // The public subnets do not map public IPs on launch (cdk-nag / AWS Config), so without this the NAT
          // instance has no public address and forwards nothing: https://github.com/aws/aws-cdk/issues/31711
          associatePublicIpAddress: true,
        });
        natGatewayProvider = natInstance;
        natGateways = 1;
        break;
    }

    this.vpc = new ec2.Vpc(this, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr(config.cidr),
      availabilityZones: [...config.availabilityZones],
      natGateways,
      natGatewayProvider,
      restrictDefaultSecurityGroup: true,
      subnetConfiguration: [
        { name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24, mapPublicIpOnLaunch: false },
        { name: 'private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 20 },
        { name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 },
      ],
      gatewayEndpoints: { S3: { service: ec2.GatewayVpcEndpointAwsService.S3 } },
    });

    if (natInstance) {
      // The instance forwards traffic from the VPC only; nothing from the internet may open a connection.
      natInstance.connections.allowFrom(ec2.Peer.ipv4(config.cidr), ec2.Port.allTraffic(), 'from the VPC');
      for (const instance of this.vpc.node.findAll()) {
        if (instance instanceof ec2.CfnInstance) {
          // Encrypted root volume (the L2 NAT provider exposes no block device option).
          instance.blockDeviceMappings = [{ deviceName: '/dev/xvda', ebs: { encrypted: true, volumeType: 'gp3' } }];
          // The root volume gets the instance's tags (Project, Environment, CostCenter...) at launch, so its
          // storage is attributed in Cost Explorer like the instance. CloudFormation replaces the instance to
          // apply this (a stateless NAT: a brief egress gap in dev on the first deploy with it).
          instance.propagateTagsToVolumeOnCreation = true;
          acknowledge(
            instance,
            'AwsSolutions-EC28',
            'Dev-only NAT instance: stateless, replaced rather than inspected.',
          );
          acknowledge(instance, 'AwsSolutions-EC29', 'Dev-only NAT instance: stateless, recreated by CloudFormation.');
        }
      }
    }

    const flowLogKey = new kms.Key(this, 'FlowLogKey', {
      description: 'Encrypts the VPC flow log group',
      enableKeyRotation: true,
      removalPolicy: props.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(7),
    });
    allowCloudWatchLogs(flowLogKey, this);
    this.flowLogGroup = encryptedLogGroup(this, 'FlowLogGroup', {
      key: flowLogKey,
      retentionDays: config.flowLogRetentionDays,
      removalPolicy: props.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    this.vpc.addFlowLog('FlowLog', {
      destination: ec2.FlowLogDestination.toCloudWatchLogs(this.flowLogGroup),
      trafficType: ec2.FlowLogTrafficType.ALL,
    });

    this.namespace = new servicediscovery.PrivateDnsNamespace(this, 'Namespace', {
      name: NAMESPACE_NAME,
      vpc: this.vpc,
      description: 'Service discovery for Nodeapp tasks (Prometheus scrapes app.nodeapp.internal SRV records)',
    });
  }
}
