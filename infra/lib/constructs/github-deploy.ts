import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { acknowledge } from '../nag.ts';

const GITHUB_OIDC_URL = 'https://token.actions.githubusercontent.com';
const GITHUB_OIDC_HOST = 'token.actions.githubusercontent.com';

export interface GithubDeployProps {
  readonly owner: string;
  readonly repo: string;
  /** GitHub deployment environments (jobs with `environment:`) that may deploy. */
  readonly environments: readonly string[];
  readonly existingOidcProviderArn?: string;
  /** Account/region pairs whose CDK bootstrap roles the deploy role may assume. */
  readonly targets: readonly { account: string; region: string }[];
  readonly bootstrapQualifier: string;
  /** ARN of the one ECR repository the pipeline pushes to. */
  readonly repositoryArn: string;
  readonly roleName: string;
}

/**
 * `sub` patterns (IAM StringLike) for the `main` branch and each deployment environment of one repository, in both
 * forms GitHub issues: `repo:OWNER/REPO:…` and, for repositories with immutable subject claims (default for new
 * repositories since 2026-07-15), `repo:OWNER@<owner id>/REPO@<repo id>:…`. Only the numeric ids are wildcards;
 * names, ref and environment stay literal, so no other branch, pull request, environment or repository matches.
 */
export function githubSubjects(owner: string, repo: string, environments: readonly string[]): string[] {
  const contexts = ['ref:refs/heads/main', ...environments.map((e) => `environment:${e}`)];
  return [`repo:${owner}/${repo}`, `repo:${owner}@*/${repo}@*`].flatMap((prefix) =>
    contexts.map((context) => `${prefix}:${context}`),
  );
}

/**
 * GitHub Actions → AWS without long-lived keys: the OIDC provider and a role that only this repository's
 * `main` branch and its deployment environments can assume, allowed to assume the CDK bootstrap roles
 * (so `cdk deploy` works) and to push to the one ECR repository.
 */
export class GithubDeploy extends Construct {
  readonly role: iam.Role;
  readonly provider: iam.IOidcProvider;

  constructor(scope: Construct, id: string, props: GithubDeployProps) {
    super(scope, id);
    this.provider = props.existingOidcProviderArn
      ? iam.OidcProviderNative.fromOidcProviderArn(this, 'Provider', props.existingOidcProviderArn)
      : new iam.OidcProviderNative(this, 'Provider', { url: GITHUB_OIDC_URL, clientIds: ['sts.amazonaws.com'] });

    this.role = new iam.Role(this, 'Role', {
      roleName: props.roleName,
      description: `GitHub Actions deploys of ${props.owner}/${props.repo}`,
      maxSessionDuration: Duration.hours(1),
      // withSessionTags: the trust also allows sts:TagSession, which aws-actions/configure-aws-credentials
      // (6.2 and later) calls with the assume; the same aud/sub conditions apply to it.
      assumedBy: new iam.WebIdentityPrincipal(this.provider.oidcProviderArn, {
        StringEquals: { [`${GITHUB_OIDC_HOST}:aud`]: 'sts.amazonaws.com' },
        StringLike: { [`${GITHUB_OIDC_HOST}:sub`]: githubSubjects(props.owner, props.repo, props.environments) },
      }).withSessionTags(),
    });

    const bootstrapRoles = props.targets.flatMap(({ account, region }) =>
      ['deploy', 'file-publishing', 'image-publishing', 'lookup'].map(
        (kind) => `arn:aws:iam::${account}:role/cdk-${props.bootstrapQualifier}-${kind}-role-${account}-${region}`,
      ),
    );
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'AssumeCdkBootstrapRoles',
        actions: ['sts:AssumeRole', 'sts:TagSession'],
        resources: [...new Set(bootstrapRoles)],
      }),
    );
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'PushToTheRepository',
        actions: [
          'ecr:BatchCheckLayerAvailability',
          'ecr:BatchGetImage',
          'ecr:CompleteLayerUpload',
          'ecr:DescribeImages',
          'ecr:DescribeImageScanFindings',
          'ecr:InitiateLayerUpload',
          'ecr:PutImage',
          'ecr:UploadLayerPart',
        ],
        resources: [props.repositoryArn],
      }),
    );
    this.role.addToPolicy(
      new iam.PolicyStatement({ sid: 'EcrLogin', actions: ['ecr:GetAuthorizationToken'], resources: ['*'] }),
    );
    acknowledge(
      this.role,
      'AwsSolutions-IAM5[Resource::*]',
      'ecr:GetAuthorizationToken has no resource-level permissions; AWS requires Resource "*". Pushes are scoped to one repository.',
    );
  }
}
