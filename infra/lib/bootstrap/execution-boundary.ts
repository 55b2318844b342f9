// `npm run bootstrap -- --env <name>` (bin/bootstrap.ts): CDK's own bootstrap template, with the CloudFormation
// execution role bounded by a permissions boundary the pipeline cannot loosen (issue 12 item 16).
//
// Why: the deploy roles assume the target account's CDK deploy role, which hands templates to the CloudFormation
// execution role; bootstrapped with AdministratorAccess and nothing else, a template could create an OIDC provider
// and a role trusting any branch, or rewrite the bootstrap roles, and so outlive the reviewers' approval. The
// boundary keeps AdministratorAccess for everything the stacks need and denies exactly that. CDK applies a boundary
// named by --custom-permissions-boundary to the execution role
// (https://docs.aws.amazon.com/cdk/v2/guide/bootstrapping-customizing.html); here the policy is created by the same
// bootstrap stack (a `--template`), so it exists before the role that uses it and is updated with it.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';

/** The GitHub roles' names (lib/constructs/github-deploy.ts): no template may create or change such a role. */
export const GITHUB_ROLE_PATTERN = 'nodeapp-github-*';

/** Name of the boundary policy in each bootstrapped account. */
export function boundaryPolicyName(qualifier: string): string {
  return `cdk-${qualifier}-nodeapp-exec-boundary`;
}

export interface PolicyStatement {
  readonly Sid: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Action?: string | readonly string[];
  readonly NotAction?: readonly string[];
  readonly Resource: unknown;
}

/** The boundary: everything, except touching the pipeline's trust, the bootstrap roles or the boundary itself. */
export function executionBoundaryStatements(qualifier: string): PolicyStatement[] {
  const arn = (resource: string) => ({ 'Fn::Sub': `arn:\${AWS::Partition}:iam::\${AWS::AccountId}:${resource}` });
  return [
    { Sid: 'EverythingTheStacksNeed', Effect: 'Allow', Action: '*', Resource: '*' },
    {
      // A new identity provider would let a template trust GitHub (or anyone) outside the shared account's roles.
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
      // The pipeline's own roles and the bootstrap roles (deploy, lookup, publishing, this execution role): read
      // and pass only.
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
      Resource: [arn(`role/${GITHUB_ROLE_PATTERN}`), arn(`role/cdk-${qualifier}-*`)],
    },
    {
      Sid: 'NoChangesToThisBoundary',
      Effect: 'Deny',
      Action: ['iam:CreatePolicyVersion', 'iam:DeletePolicy', 'iam:DeletePolicyVersion', 'iam:SetDefaultPolicyVersion'],
      Resource: arn(`policy/${boundaryPolicyName(qualifier)}`),
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
      ManagedPolicyName: { 'Fn::Sub': `cdk-\${Qualifier}-nodeapp-exec-boundary` },
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
