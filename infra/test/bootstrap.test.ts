// The bootstrap: environment accounts' CloudFormation execution role is bounded so that no template the pipeline
// deploys can make or become an identity without the boundary, create an identity provider, change the pipeline's or
// the bootstrap roles, or loosen the boundary; everything the stacks need stays allowed. The generated boundary is
// evaluated with an IAM policy simulator (@cloud-copilot/iam-simulate: identity policy AdministratorAccess, the
// boundary, and the request's condition keys in; Allowed / ExplicitlyDenied / ImplicitlyDenied out), the way IAM
// evaluates a boundary: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runSimulation } from '@cloud-copilot/iam-simulate';
import type { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { parse, stringify } from 'yaml';
import { loadConfig } from '../config/environments.ts';
import { bootstrapArguments, EXECUTION_POLICY } from '../lib/bootstrap/bootstrap-command.ts';
import {
  boundedBootstrapTemplate,
  cdkBootstrapTemplate,
  executionRoleBounded,
} from '../lib/bootstrap/execution-boundary.ts';
import { buildTestApp, testAccounts } from './helpers.ts';

const ACCOUNT = '555555555555';
const template = boundedBootstrapTemplate();
const boundary = template.Resources.NodeappExecutionBoundary;

/** Resolves the template's Fn::Sub strings for one account, partition aws, qualifier hnb659fds. */
function resolve(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value), (_key, v) =>
    v && typeof v === 'object' && typeof v['Fn::Sub'] === 'string'
      ? [
          ['AWS::Partition', 'aws'],
          ['AWS::AccountId', ACCOUNT],
          ['Qualifier', 'hnb659fds'],
        ].reduce((text: string, [name, value]) => text.replaceAll(`\${${name}}`, value as string), v['Fn::Sub'])
      : v,
  );
}

const BOUNDARY_ARN = `arn:aws:iam::${ACCOUNT}:policy/cdk-hnb659fds-nodeapp-exec-boundary`;
const NEW_BOUNDARY = resolve(boundary.Properties.PolicyDocument);
/**
 * The boundary as it was before it propagated itself (recorded from the previous execution-boundary.ts, resolved):
 * the evidence that the escape below went through, and that the tests on the current boundary fail on it.
 */
const OLD_BOUNDARY = {
  Version: '2012-10-17',
  Statement: [
    { Sid: 'EverythingTheStacksNeed', Effect: 'Allow', Action: '*', Resource: '*' },
    {
      Sid: 'NoIdentityProviders',
      Effect: 'Deny',
      Action: [
        'iam:AddClientIDToOpenIDConnectProvider',
        'iam:CreateOpenIDConnectProvider',
        'iam:CreateSAMLProvider',
        'iam:DeleteOpenIDConnectProvider',
        'iam:RemoveClientIDFromOpenIDConnectProvider',
        'iam:UpdateOpenIDConnectProviderThumbprint',
        'iam:UpdateSAMLProvider',
      ],
      Resource: '*',
    },
    {
      Sid: 'NoChangesToPipelineOrBootstrapRoles',
      Effect: 'Deny',
      NotAction: [
        'iam:GetRole',
        'iam:GetRolePolicy',
        'iam:ListAttachedRolePolicies',
        'iam:ListRolePolicies',
        'iam:ListRoleTags',
        'iam:PassRole',
      ],
      Resource: [`arn:aws:iam::${ACCOUNT}:role/nodeapp-github-*`, `arn:aws:iam::${ACCOUNT}:role/cdk-hnb659fds-*`],
    },
    {
      Sid: 'NoChangesToThisBoundary',
      Effect: 'Deny',
      Action: ['iam:CreatePolicyVersion', 'iam:DeletePolicy', 'iam:DeletePolicyVersion', 'iam:SetDefaultPolicyVersion'],
      Resource: BOUNDARY_ARN,
    },
  ],
};
const ADMINISTRATOR_ACCESS = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };

const role = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;
const EXECUTION_ROLE = role(`cdk-hnb659fds-cfn-exec-role-${ACCOUNT}-us-east-1`);
/** A role a template makes and a Lambda function runs as (its name is a stack's, as CloudFormation would name it). */
const ESCAPED_ROLE = role('Nodeapp-prod-Service-EscapeRole-ABCDEF');

interface Request {
  readonly action: string;
  readonly resource: string;
  readonly context?: Record<string, string | string[]>;
  /** The resource's own policy, where the service requires one (a KMS key policy). */
  readonly resourcePolicy?: unknown;
}

/** IAM's answer for a principal with AdministratorAccess and `boundaryPolicy` (none: no boundary at all). */
async function evaluate(principal: string, boundaryPolicy: unknown, request: Request): Promise<string> {
  const result = await runSimulation(
    {
      request: {
        principal,
        action: request.action,
        resource: { accountId: ACCOUNT, resource: request.resource },
        contextVariables: request.context ?? {},
      },
      identityPolicies: [{ name: 'AdministratorAccess', policy: ADMINISTRATOR_ACCESS }],
      resourcePolicy: request.resourcePolicy,
      permissionBoundaryPolicies: boundaryPolicy ? [{ name: 'boundary', policy: boundaryPolicy }] : [],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
    },
    {},
  );
  // 'wildcard': the action has no resource-level permissions, and Resource "*" is its only resource.
  if (result.resultType === 'single') return result.result.analysis.result;
  if (result.resultType === 'wildcard') return result.overallResult;
  throw new Error(`simulator: ${request.action} on ${request.resource}: ${JSON.stringify(result).slice(0, 500)}`);
}

/**
 * The escape, step by step. `as: 'execution role'` is CloudFormation deploying a template; `as: 'created role'` is
 * code (a Lambda function) running as a role that template made: under the old boundary that role carried no
 * boundary at all (step 1 went through), under the current one it carries the same boundary (the only way step 1
 * is allowed).
 */
const ESCAPE: (Request & { readonly step: string; readonly as: 'execution role' | 'created role' })[] = [
  {
    step: 'create a role without the boundary',
    as: 'execution role',
    action: 'iam:CreateRole',
    resource: ESCAPED_ROLE,
  },
  {
    step: 'create a role with another boundary',
    as: 'execution role',
    action: 'iam:CreateRole',
    resource: ESCAPED_ROLE,
    context: { 'iam:PermissionsBoundary': 'arn:aws:iam::aws:policy/AdministratorAccess' },
  },
  {
    step: 'create a user without the boundary',
    as: 'execution role',
    action: 'iam:CreateUser',
    resource: `arn:aws:iam::${ACCOUNT}:user/escape`,
  },
  {
    step: 'give a user access keys',
    as: 'execution role',
    action: 'iam:CreateAccessKey',
    resource: `arn:aws:iam::${ACCOUNT}:user/escape`,
  },
  {
    step: 'give a user a console password',
    as: 'execution role',
    action: 'iam:CreateLoginProfile',
    resource: `arn:aws:iam::${ACCOUNT}:user/escape`,
  },
  {
    step: "grant an unbounded role of the account's administrator rights",
    as: 'execution role',
    action: 'iam:AttachRolePolicy',
    resource: role('OrganizationAccountAccessRole'),
    context: { 'iam:PolicyARN': 'arn:aws:iam::aws:policy/AdministratorAccess' },
  },
  {
    step: 'make an unbounded role of the account trust Lambda',
    as: 'execution role',
    action: 'iam:UpdateAssumeRolePolicy',
    resource: role('OrganizationAccountAccessRole'),
  },
  {
    step: 'run a Lambda function as an unbounded role of the account',
    as: 'execution role',
    action: 'iam:PassRole',
    resource: role('OrganizationAccountAccessRole'),
    context: { 'iam:PassedToService': 'lambda.amazonaws.com' },
  },
  {
    step: 'assume the CDK deploy role (it trusts the account)',
    as: 'created role',
    action: 'sts:AssumeRole',
    resource: role(`cdk-hnb659fds-deploy-role-${ACCOUNT}-us-east-1`),
  },
  {
    step: 'remove its own boundary',
    as: 'created role',
    action: 'iam:DeleteRolePermissionsBoundary',
    resource: ESCAPED_ROLE,
    context: { 'iam:PermissionsBoundary': BOUNDARY_ARN },
  },
  {
    step: 'swap its own boundary',
    as: 'created role',
    action: 'iam:PutRolePermissionsBoundary',
    resource: ESCAPED_ROLE,
    context: { 'iam:PermissionsBoundary': 'arn:aws:iam::aws:policy/AdministratorAccess' },
  },
  {
    step: 'rewrite the boundary (a new default version)',
    as: 'created role',
    action: 'iam:CreatePolicyVersion',
    resource: BOUNDARY_ARN,
  },
  {
    step: 'make an old boundary version the default',
    as: 'created role',
    action: 'iam:SetDefaultPolicyVersion',
    resource: BOUNDARY_ARN,
  },
  { step: 'tag the boundary policy', as: 'created role', action: 'iam:TagPolicy', resource: BOUNDARY_ARN },
  {
    step: 're-trust the CDK deploy role',
    as: 'created role',
    action: 'iam:UpdateAssumeRolePolicy',
    resource: role(`cdk-hnb659fds-deploy-role-${ACCOUNT}-us-east-1`),
  },
  {
    step: 'loosen the execution role',
    as: 'created role',
    action: 'iam:AttachRolePolicy',
    resource: EXECUTION_ROLE,
    context: {
      'iam:PolicyARN': 'arn:aws:iam::aws:policy/AdministratorAccess',
      'iam:PermissionsBoundary': BOUNDARY_ARN,
    },
  },
  {
    step: 're-trust a GitHub deploy role',
    as: 'created role',
    action: 'iam:UpdateAssumeRolePolicy',
    resource: role('nodeapp-github-deploy-production'),
  },
  {
    step: 'create an OIDC provider',
    as: 'created role',
    action: 'iam:CreateOpenIDConnectProvider',
    resource: `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`,
  },
  {
    step: 'add an audience to the OIDC provider',
    as: 'created role',
    action: 'iam:AddClientIDToOpenIDConnectProvider',
    resource: `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`,
  },
  {
    step: 'create a user without the boundary, from code',
    as: 'created role',
    action: 'iam:CreateUser',
    resource: `arn:aws:iam::${ACCOUNT}:user/escape2`,
  },
];

/**
 * What the environment stacks do, by the service of each resource type they contain (the test below maps every
 * type of the synthesized templates to one of these services, so a new service needs its actions here).
 */
const STACK_REF = `arn:aws:iam::${ACCOUNT}:role/Nodeapp-prod-Service-TaskDefTaskRole1EDB4A67-ABCDEF`;
const bounded = { 'iam:PermissionsBoundary': BOUNDARY_ARN };
const KEY = `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
/** KMS asks the key policy first; CDK's keys allow the account, which delegates to IAM policies (and the boundary):
 * https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html#key-policy-default-allow-root-enable-iam */
const DEFAULT_KEY_POLICY = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' }],
};
const NEEDS: Record<string, Request[]> = {
  iam: [
    { action: 'iam:CreateRole', resource: STACK_REF, context: bounded },
    { action: 'iam:PutRolePermissionsBoundary', resource: STACK_REF, context: bounded },
    { action: 'iam:PutRolePolicy', resource: STACK_REF, context: bounded },
    {
      action: 'iam:AttachRolePolicy',
      resource: STACK_REF,
      context: { ...bounded, 'iam:PolicyARN': 'arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole' },
    },
    { action: 'iam:DeleteRolePolicy', resource: STACK_REF, context: bounded },
    { action: 'iam:DetachRolePolicy', resource: STACK_REF, context: bounded },
    { action: 'iam:UpdateAssumeRolePolicy', resource: STACK_REF },
    { action: 'iam:TagRole', resource: STACK_REF },
    { action: 'iam:DeleteRole', resource: STACK_REF },
    { action: 'iam:PassRole', resource: STACK_REF, context: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
    {
      action: 'iam:PassRole',
      resource: role('Nodeapp-prod-Service-CustomCDKBucketDeploymentRole-ABC'),
      context: { 'iam:PassedToService': 'lambda.amazonaws.com' },
    },
    {
      action: 'iam:PassRole',
      resource: role('Nodeapp-prod-Data-DatabaseInstanceMonitoringRole-ABC'),
      context: { 'iam:PassedToService': 'monitoring.rds.amazonaws.com' },
    },
    {
      action: 'iam:PassRole',
      resource: role('Nodeapp-prod-Network-VpcFlowLogsRole-ABC'),
      context: { 'iam:PassedToService': 'vpc-flow-logs.amazonaws.com' },
    },
    {
      action: 'iam:PassRole',
      resource: role('Nodeapp-prod-Service-Ec2InstanceRole-ABC'),
      context: { 'iam:PassedToService': 'ec2.amazonaws.com' },
    },
    {
      action: 'iam:CreateInstanceProfile',
      resource: `arn:aws:iam::${ACCOUNT}:instance-profile/Nodeapp-prod-Service-Profile-ABC`,
    },
    {
      action: 'iam:AddRoleToInstanceProfile',
      resource: `arn:aws:iam::${ACCOUNT}:instance-profile/Nodeapp-prod-Service-Profile-ABC`,
    },
    {
      action: 'iam:CreateServiceLinkedRole',
      resource: role('aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS'),
      context: { 'iam:AWSServiceName': 'ecs.amazonaws.com' },
    },
    { action: 'iam:GetRole', resource: role(`cdk-hnb659fds-deploy-role-${ACCOUNT}-us-east-1`) },
  ],
  kms: ['kms:PutKeyPolicy', 'kms:EnableKeyRotation', 'kms:CreateGrant', 'kms:ScheduleKeyDeletion']
    .map((action): Request => ({ action, resource: KEY, resourcePolicy: DEFAULT_KEY_POLICY }))
    .concat([{ action: 'kms:CreateKey', resource: '*' }]),
  ecs: [
    { action: 'ecs:CreateCluster', resource: '*' },
    { action: 'ecs:RegisterTaskDefinition', resource: '*' },
    { action: 'ecs:CreateService', resource: `arn:aws:ecs:us-east-1:${ACCOUNT}:service/nodeapp-prod/app` },
    { action: 'ecs:PutClusterCapacityProviders', resource: `arn:aws:ecs:us-east-1:${ACCOUNT}:cluster/nodeapp-prod` },
  ],
  rds: [
    { action: 'rds:CreateDBInstance', resource: `arn:aws:rds:us-east-1:${ACCOUNT}:db:nodeapp-prod` },
    { action: 'rds:CreateDBSubnetGroup', resource: `arn:aws:rds:us-east-1:${ACCOUNT}:subgrp:nodeapp-prod` },
    { action: 'rds:CreateDBParameterGroup', resource: `arn:aws:rds:us-east-1:${ACCOUNT}:pg:nodeapp-prod` },
  ],
  cloudfront: [
    { action: 'cloudfront:CreateDistribution', resource: '*' },
    {
      action: 'cloudfront:CreateOriginAccessControl',
      resource: '*',
    },
    { action: 'cloudfront:CreateVpcOrigin', resource: '*' },
    {
      action: 'cloudfront:CreateResponseHeadersPolicy',
      resource: '*',
    },
  ],
  wafv2: [
    { action: 'wafv2:CreateWebACL', resource: `arn:aws:wafv2:us-east-1:${ACCOUNT}:global/webacl/nodeapp-prod/*` },
  ],
  logs: [
    { action: 'logs:CreateLogGroup', resource: `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/nodeapp/prod/app` },
    { action: 'logs:PutRetentionPolicy', resource: `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/nodeapp/prod/app` },
    { action: 'logs:AssociateKmsKey', resource: `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/nodeapp/prod/app` },
  ],
  sns: [
    { action: 'sns:CreateTopic', resource: `arn:aws:sns:us-east-1:${ACCOUNT}:nodeapp-prod-alarms` },
    { action: 'sns:Subscribe', resource: `arn:aws:sns:us-east-1:${ACCOUNT}:nodeapp-prod-alarms` },
    { action: 'sns:SetTopicAttributes', resource: `arn:aws:sns:us-east-1:${ACCOUNT}:nodeapp-prod-alarms` },
  ],
  chatbot: [
    {
      action: 'chatbot:CreateSlackChannelConfiguration',
      resource: '*',
    },
  ],
  events: [
    { action: 'events:PutRule', resource: `arn:aws:events:us-east-1:${ACCOUNT}:rule/nodeapp-prod-x` },
    { action: 'events:PutTargets', resource: `arn:aws:events:us-east-1:${ACCOUNT}:rule/nodeapp-prod-x` },
  ],
  ec2: [
    { action: 'ec2:CreateVpc', resource: `arn:aws:ec2:us-east-1:${ACCOUNT}:vpc/*` },
    { action: 'ec2:CreateSecurityGroup', resource: `arn:aws:ec2:us-east-1:${ACCOUNT}:security-group/*` },
    { action: 'ec2:CreateFlowLogs', resource: `arn:aws:ec2:us-east-1:${ACCOUNT}:vpc-flow-log/*` },
    { action: 'ec2:RunInstances', resource: `arn:aws:ec2:us-east-1:${ACCOUNT}:instance/*` },
    { action: 'ec2:CreateVpcEndpoint', resource: `arn:aws:ec2:us-east-1:${ACCOUNT}:vpc-endpoint/*` },
    { action: 'ec2:AllocateAddress', resource: `arn:aws:ec2:us-east-1:${ACCOUNT}:elastic-ip/*` },
  ],
  elasticloadbalancing: [
    {
      action: 'elasticloadbalancing:CreateLoadBalancer',
      resource: `arn:aws:elasticloadbalancing:us-east-1:${ACCOUNT}:loadbalancer/app/nodeapp-prod/*`,
    },
    {
      action: 'elasticloadbalancing:CreateTargetGroup',
      resource: `arn:aws:elasticloadbalancing:us-east-1:${ACCOUNT}:targetgroup/nodeapp-prod/*`,
    },
  ],
  'application-autoscaling': [
    {
      action: 'application-autoscaling:RegisterScalableTarget',
      resource: `arn:aws:application-autoscaling:us-east-1:${ACCOUNT}:scalable-target/*`,
    },
    {
      action: 'application-autoscaling:PutScalingPolicy',
      resource: `arn:aws:application-autoscaling:us-east-1:${ACCOUNT}:scalable-target/*`,
    },
  ],
  budgets: [{ action: 'budgets:ModifyBudget', resource: `arn:aws:budgets::${ACCOUNT}:budget/nodeapp-prod` }],
  ce: [{ action: 'ce:CreateAnomalyMonitor', resource: '*' }],
  cloudwatch: [
    { action: 'cloudwatch:PutMetricAlarm', resource: `arn:aws:cloudwatch:us-east-1:${ACCOUNT}:alarm:nodeapp-prod-x` },
    { action: 'cloudwatch:PutDashboard', resource: `arn:aws:cloudwatch::${ACCOUNT}:dashboard/nodeapp-prod` },
  ],
  lambda: [
    {
      action: 'lambda:CreateFunction',
      resource: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:Nodeapp-prod-Service-x`,
    },
    { action: 'lambda:PublishLayerVersion', resource: `arn:aws:lambda:us-east-1:${ACCOUNT}:layer:x` },
    {
      action: 'lambda:InvokeFunction',
      resource: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:Nodeapp-prod-Service-x`,
    },
  ],
  s3: [
    { action: 's3:CreateBucket', resource: 'arn:aws:s3:::nodeapp-prod-site' },
    { action: 's3:PutBucketPolicy', resource: 'arn:aws:s3:::nodeapp-prod-site' },
  ],
  secretsmanager: [
    {
      action: 'secretsmanager:CreateSecret',
      resource: `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:nodeapp-prod-x`,
    },
    {
      action: 'secretsmanager:PutResourcePolicy',
      resource: `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:nodeapp-prod-x`,
    },
    {
      action: 'secretsmanager:RotateSecret',
      resource: `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:nodeapp-prod-x`,
    },
    // prod's master password: RDS creates and tags its managed secret (rds!db-<id>) with the caller's rights, and
    // the RotationSchedule sets its period (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-secrets-manager.html).
    ...['secretsmanager:CreateSecret', 'secretsmanager:TagResource', 'secretsmanager:RotateSecret'].map(
      (action): Request => ({
        action,
        resource: `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:rds!db-0123abcd-4567-89ef-0123-456789abcdef-AbCdEf`,
      }),
    ),
  ],
  servicediscovery: [
    { action: 'servicediscovery:CreatePrivateDnsNamespace', resource: '*' },
    {
      action: 'servicediscovery:CreateService',
      resource: `arn:aws:servicediscovery:us-east-1:${ACCOUNT}:namespace/ns-x`,
    },
  ],
};

/** CloudFormation namespace (AWS::<Namespace>::…) → IAM service prefix, where they differ. */
const SERVICE_OF: Record<string, string> = {
  ApplicationAutoScaling: 'application-autoscaling',
  ElasticLoadBalancingV2: 'elasticloadbalancing',
  ServiceDiscovery: 'servicediscovery',
  SecretsManager: 'secretsmanager',
  CloudFront: 'cloudfront',
  CloudWatch: 'cloudwatch',
  WAFv2: 'wafv2',
};

describe('bootstrap: bounded CloudFormation execution role', () => {
  it("bounds CDK's execution role with the boundary policy created in the same template", () => {
    assert.deepEqual(template.Resources.CloudFormationExecutionRole.Properties.PermissionsBoundary, {
      Ref: 'NodeappExecutionBoundary',
    });
    assert.equal(boundary.Type, 'AWS::IAM::ManagedPolicy');
    assert.deepEqual(boundary.Properties.ManagedPolicyName, { 'Fn::Sub': `cdk-\${Qualifier}-nodeapp-exec-boundary` });
    // Everything else is CDK's own template (same version as the CLI that deploys it).
    assert.ok(template.Resources.DeploymentActionRole && template.Resources.StagingBucket);
    assert.ok(template.Outputs.BootstrapVersion);
  });

  it("changes nothing else in CDK's template, and survives the YAML round trip bin/bootstrap.ts writes", () => {
    const base = cdkBootstrapTemplate();
    const { NodeappExecutionBoundary: _added, ...resources } = template.Resources;
    const { PermissionsBoundary: _boundary, ...roleProps } = resources.CloudFormationExecutionRole.Properties;
    const { PermissionsBoundary: _baseBoundary, ...baseRoleProps } =
      base.Resources.CloudFormationExecutionRole.Properties;
    assert.deepEqual(roleProps, baseRoleProps);
    for (const [id, resource] of Object.entries(base.Resources)) {
      if (id !== 'CloudFormationExecutionRole') assert.deepEqual(resources[id], resource, id);
    }
    assert.deepEqual(template.Parameters, base.Parameters);
    assert.deepEqual(parse(stringify(template)), template);
  });

  it('evidence: under the old boundary every step of the escape was allowed', async () => {
    for (const step of ESCAPE) {
      // Under the old boundary the created role had no boundary (step 1 was allowed): evaluate it unbounded.
      const result = await evaluate(
        step.as === 'execution role' ? EXECUTION_ROLE : ESCAPED_ROLE,
        step.as === 'execution role' ? OLD_BOUNDARY : undefined,
        step,
      );
      assert.equal(result, 'Allowed', `old boundary, ${step.as}: ${step.step}`);
    }
  });

  for (const step of ESCAPE) {
    it(`denies the ${step.as}: ${step.step} (${step.action})`, async () => {
      const principal = step.as === 'execution role' ? EXECUTION_ROLE : ESCAPED_ROLE;
      assert.equal(await evaluate(principal, NEW_BOUNDARY, step), 'ExplicitlyDenied');
    });
  }

  for (const [service, requests] of Object.entries(NEEDS)) {
    it(`allows what the stacks need of ${service}`, async () => {
      for (const request of requests) {
        const result = await evaluate(EXECUTION_ROLE, NEW_BOUNDARY, request);
        assert.equal(
          result,
          'Allowed',
          `${request.action} on ${request.resource} ${JSON.stringify(request.context ?? {})}`,
        );
      }
    });
  }

  it('covers the service of every resource type in the environment stacks (a new service needs its actions above)', () => {
    const stacks = buildTestApp({});
    const types = new Set(
      [...stacks.environments.values()].flatMap((e) =>
        [e.network, e.data, e.service, e.monitoring]
          .filter((s): s is NonNullable<typeof s> => s !== undefined)
          .flatMap((s: Stack) =>
            Object.values(Template.fromStack(s).toJSON().Resources as Record<string, { Type: string }>),
          )
          .map((r) => r.Type),
      ),
    );
    for (const type of types) {
      const [vendor, namespace = ''] = type.split('::');
      if (vendor === 'Custom') continue; // a Lambda function the stack creates (lambda, above)
      const service = SERVICE_OF[namespace] ?? namespace.toLowerCase();
      assert.ok(NEEDS[service], `${type}: no actions of ${service} in NEEDS`);
    }
  });
});

describe('environment stacks: every identity carries the boundary', () => {
  const stacks = buildTestApp({ config: loadConfig({ ...testAccounts }) });
  it('every AWS::IAM::Role and AWS::IAM::User of every environment stack, providers included, has it', () => {
    let roles = 0;
    for (const [env, e] of stacks.environments) {
      for (const stack of [e.network, e.data, e.service, e.monitoring]) {
        if (!stack) continue;
        const resources = Template.fromStack(stack).toJSON().Resources as Record<
          string,
          { Type: string; Properties: { PermissionsBoundary?: unknown } }
        >;
        for (const [id, r] of Object.entries(resources)) {
          if (r.Type !== 'AWS::IAM::Role' && r.Type !== 'AWS::IAM::User') continue;
          roles++;
          assert.equal(
            stack.resolve(r.Properties.PermissionsBoundary),
            `arn:aws:iam::${stack.account}:policy/cdk-hnb659fds-nodeapp-exec-boundary`,
            `${env} ${stack.stackName} ${id}`,
          );
        }
      }
    }
    assert.ok(roles >= 30, `found ${roles} roles`);
  });

  it("the shared stacks carry none (the shared account keeps CDK's plain bootstrap, without this policy)", () => {
    for (const stack of [stacks.registry, stacks.githubDeploy]) {
      assert.doesNotMatch(JSON.stringify(Template.fromStack(stack).toJSON()), /PermissionsBoundary/);
    }
  });

  it("an environment in the shared account (one-account trial) carries none: that account's execution role is CDK's plain one", () => {
    const oneAccount = loadConfig({ ...testAccounts, NODEAPP_ACCOUNT_DEV: testAccounts.NODEAPP_ACCOUNT_SHARED });
    const trial = buildTestApp({ env: 'dev', config: oneAccount }).environments.get('dev');
    assert.ok(trial);
    for (const stack of [trial.network, trial.data, trial.service, trial.monitoring]) {
      if (stack) assert.doesNotMatch(JSON.stringify(Template.fromStack(stack).toJSON()), /PermissionsBoundary/);
    }
    assert.ok(executionRoleBounded('111111111111', '111111111111'), 'an unset account counts as separate');
  });

  // A nested template's roles are outside CDK's reach: AWS's Serverless Application Repository rotation app creates
  // its function's role without a boundary (https://github.com/aws/aws-cdk/issues/19649,
  // https://github.com/aws-samples/aws-secrets-manager-rotation-lambdas/issues/27), which the bounded execution role
  // may not create. prod's rotation is RDS-managed instead (lib/constructs/database.ts).
  it('no environment stack nests a template whose roles CDK cannot bound', () => {
    for (const e of stacks.environments.values()) {
      for (const stack of [e.network, e.data, e.service, e.monitoring]) {
        if (!stack) continue;
        const template = Template.fromStack(stack);
        template.resourceCountIs('AWS::Serverless::Application', 0);
        template.resourceCountIs('AWS::CloudFormation::Stack', 0);
      }
    }
  });
});

describe('npm run bootstrap', () => {
  const config = loadConfig({ ...testAccounts });

  it('bootstraps an environment account with the bounded template, trusting the shared account', () => {
    const args = bootstrapArguments(['--env', 'prod'], config, '/tmp/t.yaml');
    assert.deepEqual(args, [
      'bootstrap',
      'aws://555555555555/us-east-1',
      '--qualifier',
      'hnb659fds',
      '--template',
      '/tmp/t.yaml',
      '--trust',
      '222222222222',
      '--trust-for-lookup',
      '222222222222',
      '--cloudformation-execution-policies',
      EXECUTION_POLICY,
    ]);
  });

  it("bootstraps the shared account with CDK's plain template (it creates the GitHub roles) and no trust", () => {
    const args = bootstrapArguments(['--env=shared'], config, '/tmp/t.yaml');
    assert.ok(!args.includes('--template') && !args.includes('--trust'));
    assert.equal(args[1], 'aws://222222222222/us-east-1');
  });

  it('refuses an unknown environment, a placeholder account, and staging or prod in the shared account', () => {
    assert.throws(() => bootstrapArguments([], config, 't'), /needs --env <shared\|dev\|staging\|prod> \(got none\)/);
    assert.throws(() => bootstrapArguments(['--env', 'prod'], loadConfig({}), 't'), /NODEAPP_ACCOUNT_PROD is not set/);
    const same = loadConfig({ ...testAccounts, NODEAPP_ACCOUNT_STAGING: testAccounts.NODEAPP_ACCOUNT_SHARED });
    assert.throws(
      () => bootstrapArguments(['--env', 'staging'], same, 't'),
      /NODEAPP_ACCOUNT_STAGING equals NODEAPP_ACCOUNT_SHARED .*staging and prod each need an AWS account of their own/,
    );
  });

  it('accepts dev in the shared account (the one-account trial): the shared bootstrap, plain template', () => {
    const trial = loadConfig({ ...testAccounts, NODEAPP_ACCOUNT_DEV: testAccounts.NODEAPP_ACCOUNT_SHARED });
    const args = bootstrapArguments(['--env', 'dev'], trial, '/tmp/t.yaml');
    assert.deepEqual(args, bootstrapArguments(['--env', 'shared'], trial, '/tmp/t.yaml'));
    assert.equal(args[1], `aws://${testAccounts.NODEAPP_ACCOUNT_SHARED}/us-east-1`);
  });

  it('bin/bootstrap.ts exits 1 with one line before running cdk', () => {
    const entry = fileURLToPath(new URL('../bin/bootstrap.ts', import.meta.url));
    const result = spawnSync(process.execPath, [entry, '--env', 'qa'], { encoding: 'utf8' });
    assert.equal(result.status, 1);
    assert.match(result.stderr, /npm run bootstrap needs --env/);
    assert.doesNotMatch(result.stderr, /\n\s+at /);
  });
});
