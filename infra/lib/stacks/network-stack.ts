import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as servicediscovery from 'aws-cdk-lib/aws-servicediscovery';
import type { Construct } from 'constructs';
import type { EnvironmentConfig } from '../../config/types.ts';
import { Network } from '../constructs/network.ts';
import { acknowledgeCdkProvider } from '../nag.ts';

export interface NetworkStackProps extends StackProps {
  readonly config: EnvironmentConfig;
}

/** `Nodeapp-<env>-Network`: the VPC and the Cloud Map namespace, shared by the data, service and monitoring stacks. */
export class NetworkStack extends Stack {
  readonly config: EnvironmentConfig;
  readonly vpc: ec2.Vpc;
  /** Private DNS namespace `nodeapp.internal`. */
  readonly namespace: servicediscovery.PrivateDnsNamespace;

  constructor(scope: Construct, id: string, props: NetworkStackProps) {
    super(scope, id, props);
    this.config = props.config;
    const network = new Network(this, 'Network', { config: props.config.network, retainData: props.config.retainData });
    this.vpc = network.vpc;
    this.namespace = network.namespace;
    acknowledgeCdkProvider(this, 'Custom::VpcRestrictDefaultSGCustomResourceProvider', 'Default SG lockdown');
    new CfnOutput(this, 'VpcId', { value: this.vpc.vpcId });
  }
}
