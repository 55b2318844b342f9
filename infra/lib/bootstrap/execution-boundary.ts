// `npm run bootstrap -- --env <name>` (bin/bootstrap.ts): CDK's own bootstrap template, with the CloudFormation
// execution role bounded by a permissions boundary the pipeline cannot loosen or escape.
//
// Why: the deploy roles assume the target account's CDK deploy role, which hands templates to the CloudFormation
// execution role; bootstrapped with AdministratorAccess and nothing else, a template could create an OIDC provider
// and a role trusting any branch, or rewrite the bootstrap roles, and so outlive the reviewers' approval. The
// boundary keeps AdministratorAccess for everything the stacks need and denies exactly that. CDK applies a boundary
// named by --custom-permissions-boundary to the execution role
// (https://docs.aws.amazon.com/cdk/v2/guide/bootstrapping-customizing.html); here the policy is created by the same
// bootstrap stack (a `--template`), so it exists before the role that uses it and is updated with it.
//
// A boundary only bounds the role it is set on, so it must also keep that role from making an unbounded one: AWS's
// CDK guide says "you must also prevent IAM entities from escaping the boundary"
// (https://docs.aws.amazon.com/cdk/v2/guide/customize-permissions-boundaries.html) and points at IAM's delegation
// example (https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html#access_policies_boundaries-delegate).
// The pattern is AWS's own managed AWSCODAPermissionsBoundary
// (https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSCODAPermissionsBoundary.html): it lets its
// holder create roles and users only with `iam:PermissionsBoundary` equal to itself, so every identity the stacks
// create carries this same boundary (the stacks set it: lib/app.ts, `permissionsBoundary`), and nobody bounded by
// it can remove or swap it. test/bootstrap.test.ts evaluates the statements with an IAM policy simulator, the escape
// step by step and every action the stacks need.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';
import { PLACEHOLDER_ACCOUNT } from '../../config/environments.ts';
import { names } from '../../config/names.ts';

/** The GitHub roles' names (lib/constructs/github-deploy.ts): no template may create or change such a role. */
export const GITHUB_ROLE_PATTERN = 'nodeapp-github-*';

/**
 * The roles the environment stacks create: CloudFormation names a role without a `RoleName` after its stack
 * (`<stack name>-<logical id>-<suffix>`, https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-name.html),
 * and every environment stack is named `Nodeapp-<env>-…` (config/names.ts). Only these may be passed to a service,
 * re-trusted or assumed: an account's other roles (OrganizationAccountAccessRole, say) carry no boundary, and
 * passing one to a Lambda function would run code outside it.
 */
export const STACK_ROLE_PATTERN = names('*').stackPattern;

/**
 * Whether an environment account's CloudFormation execution role is bounded (bootstrapped with
 * boundedBootstrapTemplate), and so whether its stacks' roles must carry the boundary: every account but the shared
 * one, whose execution role must create the GitHub roles and the OIDC provider (bootstrap-command.ts). An unset
 * (placeholder) account counts as separate, the supported layout. bootstrap-command.ts and lib/app.ts both ask this.
 */
export function executionRoleBounded(account: string, sharedAccount: string): boolean {
  return account !== sharedAccount || account === PLACEHOLDER_ACCOUNT;
}

/** Name of the boundary policy in each bootstrapped account. */
export function boundaryPolicyName(qualifier: string): string {
  return `cdk-${qualifier}-nodeapp-exec-boundary`;
}

export interface PolicyStatement {
  readonly Sid: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Action?: string | readonly string[];
  readonly NotAction?: readonly string[];
  readonly Resource?: unknown;
  readonly NotResource?: unknown;
  readonly Condition?: Record<string, Record<string, unknown>>;
}

/** Role and user actions whose `iam:PermissionsBoundary` is the target entity's boundary (or the one being set):
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsidentityandaccessmanagementiam.html */
const BOUNDED_ENTITY_ACTIONS = [
  'iam:AttachRolePolicy',
  'iam:AttachUserPolicy',
  'iam:CreateRole',
  'iam:CreateUser',
  'iam:DeleteRolePolicy',
  'iam:DeleteUserPolicy',
  'iam:DetachRolePolicy',
  'iam:DetachUserPolicy',
  'iam:PutRolePermissionsBoundary',
  'iam:PutRolePolicy',
  'iam:PutUserPermissionsBoundary',
  'iam:PutUserPolicy',
];

/**
 * The boundary: everything, except making or changing an identity without this boundary, long-lived credentials,
 * identity providers, the pipeline's and the bootstrap roles, this policy, and other roles than the stacks'.
 */
export function executionBoundaryStatements(qualifier: string): PolicyStatement[] {
  const arn = (resource: string) => ({ 'Fn::Sub': `arn:\${AWS::Partition}:iam::\${AWS::AccountId}:${resource}` });
  const self = arn(`policy/${boundaryPolicyName(qualifier)}`);
  return [
    { Sid: 'EverythingTheStacksNeed', Effect: 'Allow', Action: '*', Resource: '*' },
    {
      // Create a role or user only with this boundary, set no other one, and change the policies only of roles and
      // users that carry it (a condition key absent from the request, as in CreateRole without a boundary, makes
      // StringNotEquals true: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html).
      Sid: 'OnlyIdentitiesWithThisBoundary',
      Effect: 'Deny',
      Action: BOUNDED_ENTITY_ACTIONS,
      Resource: '*',
      Condition: { StringNotEquals: { 'iam:PermissionsBoundary': self } },
    },
    {
      Sid: 'NoBoundaryRemoval',
      Effect: 'Deny',
      Action: ['iam:DeleteRolePermissionsBoundary', 'iam:DeleteUserPermissionsBoundary'],
      Resource: '*',
    },
    {
      // Keys and passwords outlive the deploy and the boundary's reviewers; the stacks use roles only.
      Sid: 'NoLongLivedCredentials',
      Effect: 'Deny',
      Action: [
        'iam:CreateAccessKey',
        'iam:CreateLoginProfile',
        'iam:CreateServiceSpecificCredential',
        'iam:UpdateAccessKey',
        'iam:UpdateLoginProfile',
        'iam:UploadSSHPublicKey',
        'iam:UploadSigningCertificate',
        'sts:AssumeRoot',
        'sts:GetFederationToken',
      ],
      Resource: '*',
    },
    {
      // A new identity provider would let a template trust GitHub (or anyone) outside the shared account's roles.
      Sid: 'NoIdentityProviders',
      Effect: 'Deny',
      Action: ['iam:*OpenIDConnectProvider*', 'iam:*SAMLProvider*'],
      Resource: '*',
    },
    {
      // The pipeline's own roles and the bootstrap roles (deploy, lookup, publishing, this execution role): read only.
      Sid: 'NoChangesToPipelineOrBootstrapRoles',
      Effect: 'Deny',
      NotAction: [
        'iam:GetRole',
        'iam:GetRolePolicy',
        'iam:ListAttachedRolePolicies',
        'iam:ListRolePolicies',
        'iam:ListRoleTags',
      ],
      Resource: [arn(`role/${GITHUB_ROLE_PATTERN}`), arn(`role/cdk-${qualifier}-*`)],
    },
    {
      Sid: 'OnlyTheStacksRolesArePassedRetrustedOrAssumed',
      Effect: 'Deny',
      Action: ['iam:PassRole', 'iam:UpdateAssumeRolePolicy', 'sts:AssumeRole'],
      NotResource: arn(`role/${STACK_ROLE_PATTERN}`),
    },
    {
      // Policy versions included: a new default version would be a new boundary.
      Sid: 'NoChangesToThisBoundary',
      Effect: 'Deny',
      NotAction: [
        'iam:GetPolicy',
        'iam:GetPolicyVersion',
        'iam:ListEntitiesForPolicy',
        'iam:ListPolicyTags',
        'iam:ListPolicyVersions',
      ],
      Resource: self,
    },
  ];
}

/** CDK's bootstrap template shipped with the installed aws-cdk CLI (the one `cdk bootstrap` would deploy). */
// biome-ignore lint/suspicious/noExplicitAny: a CloudFormation template is untyped JSON.
export function cdkBootstrapTemplate(): Record<string, any> {
  const cli = dirname(createRequire(import.meta.url).resolve('aws-cdk/package.json'));
  return parse(readFileSync(join(cli, 'lib/api/bootstrap/bootstrap-template.yaml'), 'utf8'));
}

/**
 * CDK's template plus the boundary policy, with the execution role bounded by it (a Ref, so CloudFormation creates
 * the policy first). Every other bootstrap resource and parameter stays CDK's.
 */
// biome-ignore lint/suspicious/noExplicitAny: a CloudFormation template is untyped JSON.
export function boundedBootstrapTemplate(base: Record<string, any> = cdkBootstrapTemplate()): Record<string, any> {
  const template = structuredClone(base);
  const role = template.Resources?.CloudFormationExecutionRole;
  if (!role) throw new Error('CDK bootstrap template: no CloudFormationExecutionRole (aws-cdk changed its template)');
  template.Resources.NodeappExecutionBoundary = {
    Type: 'AWS::IAM::ManagedPolicy',
    Properties: {
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Fn::Sub placeholder, resolved at deploy.
      ManagedPolicyName: { 'Fn::Sub': boundaryPolicyName('${Qualifier}') },
      Description: 'Nodeapp: bounds the CDK CloudFormation execution role (infra/README.md, bootstrap)',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Fn::Sub placeholder, resolved at deploy.
      PolicyDocument: { Version: '2012-10-17', Statement: executionBoundaryStatements('${Qualifier}') },
    },
  };
  role.Properties.PermissionsBoundary = { Ref: 'NodeappExecutionBoundary' };
  template.Outputs = {
    ...template.Outputs,
    NodeappExecutionBoundaryArn: { Value: { Ref: 'NodeappExecutionBoundary' } },
  };
  return template;
}
