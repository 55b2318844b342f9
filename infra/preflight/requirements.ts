// What an environment's stacks need from its account, derived from the same config the stacks are built from.
// test/preflight/requirements.test.ts synthesizes the stacks and checks these values against the templates, so a
// change in a construct (another NAT instance type, another PostgreSQL major) cannot leave the preflight behind.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, CfnWaitConditionHandle, DefaultStackSynthesizer, Stack } from 'aws-cdk-lib';
import type { EnvironmentConfig } from '../config/types.ts';

/** The NAT instance of `egress: 'nat-instance'` (lib/constructs/network.ts). */
export const NAT_INSTANCE_TYPE = 't4g.nano';

/** The RDS engine and major version of lib/constructs/database.ts. */
export const RDS_ENGINE = 'postgres';
export const RDS_ENGINE_MAJOR = '18';

/** EC2 instance types the environment launches (NAT instance, ECS container instances). */
export function ec2InstanceTypes(env: EnvironmentConfig): string[] {
  const types = new Set<string>();
  if (env.network.egress === 'nat-instance') types.add(NAT_INSTANCE_TYPE);
  if (env.capacity === 'ec2') types.add(env.ec2.instanceType);
  return [...types];
}

/** `db.<class>` of the environment's RDS instance, or undefined without RDS. */
export function rdsInstanceClass(env: EnvironmentConfig): string | undefined {
  return env.database === 'rds' ? `db.${env.rds.instanceType}` : undefined;
}

export interface ServiceLinkedRole {
  readonly roleName: string;
  /** What `aws iam create-service-linked-role --aws-service-name` takes. */
  readonly serviceName: string;
  readonly usedBy: string;
}

/**
 * Service-linked roles the environment's resources use. A service creates its role on first use only if the caller
 * may call iam:CreateServiceLinkedRole, which a scoped CloudFormation execution role may not; creating them once per
 * account beforehand removes that difference between accounts.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/using-service-linked-roles.html
 * Fargate Spot needs no EC2 Spot role (AWSServiceRoleForEC2Spot is for EC2 Spot Instances, which nothing here uses):
 * it runs under the ECS role. https://docs.aws.amazon.com/AmazonECS/latest/developerguide/using-service-linked-roles.html
 */
export function serviceLinkedRoles(env: EnvironmentConfig): ServiceLinkedRole[] {
  const roles: ServiceLinkedRole[] = [
    { roleName: 'AWSServiceRoleForECS', serviceName: 'ecs.amazonaws.com', usedBy: 'ECS cluster and services' },
    {
      roleName: 'AWSServiceRoleForElasticLoadBalancing',
      serviceName: 'elasticloadbalancing.amazonaws.com',
      usedBy: 'the ALB',
    },
    {
      // The ScalableTarget's RoleARN names this role directly (aws-cdk-lib's ecs auto scaling).
      roleName: 'AWSServiceRoleForApplicationAutoScaling_ECSService',
      serviceName: 'ecs.application-autoscaling.amazonaws.com',
      usedBy: 'service auto scaling',
    },
    {
      // https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/using-service-linked-roles.html
      roleName: 'AWSServiceRoleForCloudFrontVPCOrigin',
      serviceName: 'vpcorigin.cloudfront.amazonaws.com',
      usedBy: 'the CloudFront VPC origin',
    },
  ];
  if (env.database === 'rds') {
    roles.push({ roleName: 'AWSServiceRoleForRDS', serviceName: 'rds.amazonaws.com', usedBy: 'the RDS instance' });
  }
  if (env.capacity === 'ec2') {
    roles.push({
      roleName: 'AWSServiceRoleForAutoScaling',
      serviceName: 'autoscaling.amazonaws.com',
      usedBy: 'the EC2 Auto Scaling group',
    });
  }
  return roles;
}

export interface BootstrapRequirement {
  /** SSM parameter holding the bootstrap stack's version. */
  readonly parameterName: string;
  /** The lowest version this aws-cdk-lib's deployments (and the lookup role the preflight assumes) need. */
  readonly minimumVersion: number;
}

/**
 * Asks this aws-cdk-lib what it needs instead of hard-coding a number: a one-resource stack with the default
 * synthesizer (which every Nodeapp stack uses) records, in the cloud assembly, the bootstrap version its deploy role
 * and its lookup role require. https://docs.aws.amazon.com/cdk/v2/guide/bootstrapping-env.html
 */
export function bootstrapRequirement(qualifier: string, region: string): BootstrapRequirement {
  const key = `${qualifier}/${region}`;
  const known = bootstrapRequirements.get(key);
  if (known) return known;
  const requirement = probeBootstrapRequirement(qualifier, region);
  bootstrapRequirements.set(key, requirement);
  return requirement;
}

/** A synth takes seconds: once per qualifier and region and process. */
const bootstrapRequirements = new Map<string, BootstrapRequirement>();

function probeBootstrapRequirement(qualifier: string, region: string): BootstrapRequirement {
  const outdir = mkdtempSync(join(tmpdir(), 'nodeapp-preflight-'));
  try {
    const app = new App({ outdir });
    const stack = new Stack(app, 'BootstrapProbe', {
      env: { account: '123456789012', region },
      synthesizer: new DefaultStackSynthesizer({ qualifier }),
    });
    new CfnWaitConditionHandle(stack, 'Probe');
    const artifact = app.synth().getStackArtifact(stack.artifactId);
    const versions = [artifact.requiresBootstrapStackVersion, artifact.lookupRole?.requiresBootstrapStackVersion];
    return {
      parameterName: artifact.bootstrapStackVersionSsmParameter ?? `/cdk-bootstrap/${qualifier}/version`,
      minimumVersion: Math.max(...versions.filter((v): v is number => typeof v === 'number')),
    };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/** The read-only role `cdk bootstrap` creates in every bootstrapped account (ReadOnlyAccess, trusted accounts). */
export function lookupRoleArn(qualifier: string, account: string, region: string): string {
  return `arn:aws:iam::${account}:role/cdk-${qualifier}-lookup-role-${account}-${region}`;
}
