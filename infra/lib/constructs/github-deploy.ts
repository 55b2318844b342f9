import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { githubDeployRoleName } from '../../config/names.ts';
import { acknowledge } from '../nag.ts';

const GITHUB_OIDC_URL = 'https://token.actions.githubusercontent.com';
const GITHUB_OIDC_HOST = 'token.actions.githubusercontent.com';

/**
 * Longest session a role grants (the first prod deploy — Multi-AZ RDS, CloudFront VPC origin — can outlast 1 h;
 * issue 12 item 14). IAM allows 1–12 h: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_update-role-settings.html
 * The CLI's assumed CDK roles get their own 1 h sessions and are re-assumed by the CDK CLI as needed.
 */
export const DEPLOY_SESSION_HOURS = 4;

/** ECR actions, by what the pipeline does with them (test/github-deploy.test.ts maps each workflow command to these). */
export const ECR_ACTIONS = {
  /** `aws ecr get-login-password` / aws-actions/amazon-ecr-login: no resource-level permission, Resource "*". */
  login: ['ecr:GetAuthorizationToken'],
  /** https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-push-iam.html */
  push: [
    'ecr:BatchCheckLayerAvailability',
    'ecr:BatchGetImage',
    'ecr:CompleteLayerUpload',
    'ecr:InitiateLayerUpload',
    'ecr:PutImage',
    'ecr:UploadLayerPart',
  ],
  /** Reading manifests and blobs (config blobs too): AmazonEC2ContainerRegistryPullOnly's actions,
   * https://docs.aws.amazon.com/AmazonECR/latest/userguide/security-iam-awsmanpol.html */
  pull: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
  /** `aws ecr describe-images` (the deploy's digest check, the push job's "tag exists?" check). */
  describe: ['ecr:DescribeImages'],
} as const;

export interface GithubRoleTarget {
  readonly account: string;
  readonly region: string;
  /** The environment's release role (config/names.ts `releaseRole`): migrate task and rollout watcher. */
  readonly releaseRoleName: string;
}

export interface GithubDeployProps {
  /** `owner/repo` (NODEAPP_GITHUB_REPOSITORY). */
  readonly repository: string;
  readonly existingOidcProviderArn?: string;
  /** ARNs of the ECR repositories of config/images.ts. */
  readonly repositoryArns: readonly string[];
  readonly bootstrapQualifier: string;
  /** GitHub deployment environment → the account/region its role deploys to (`staging`, `production`). */
  readonly deployTargets: Readonly<Record<'staging' | 'production', GithubRoleTarget>>;
}

/**
 * `sub` patterns (IAM StringLike) for one GitHub context (`ref:refs/heads/main`, `environment:staging`) of one
 * repository, in both forms GitHub issues: `repo:OWNER/REPO:…` and, for repositories with immutable subject claims,
 * `repo:OWNER@<owner id>/REPO@<repo id>:…`. Only the numeric ids are wildcards; names, ref and environment stay
 * literal, so no other branch, pull request, environment or repository matches.
 * https://docs.github.com/en/actions/reference/security/oidc#example-subject-claims
 */
export function githubSubjects(repository: string, context: string): string[] {
  const [owner, repo] = repository.split('/');
  return [`repo:${owner}/${repo}:${context}`, `repo:${owner}@*/${repo}@*:${context}`];
}

/** The CDK bootstrap roles of one account/region (`cdk bootstrap`'s names with this qualifier). */
export function cdkBootstrapRoleArns(target: GithubRoleTarget, qualifier: string): string[] {
  return ['deploy', 'file-publishing', 'image-publishing', 'lookup'].map(
    (kind) => `arn:aws:iam::${target.account}:role/cdk-${qualifier}-${kind}-role-${target.account}-${target.region}`,
  );
}

/**
 * GitHub Actions → AWS without long-lived keys: the OIDC provider and one role per job kind (issue 12 item 15).
 * - image push: only the `main` branch; ECR push/pull on the image repositories and nothing else;
 * - staging deploy: only jobs in the `staging` environment; staging's CDK bootstrap roles, ecr:DescribeImages;
 * - production deploy: only jobs in the `production` environment (whose reviewers GitHub enforces); prod's roles.
 * So neither a job on main nor the staging job can deploy production.
 */
export class GithubDeploy extends Construct {
  readonly provider: iam.IOidcProvider;
  readonly imagePushRole: iam.Role;
  readonly stagingDeployRole: iam.Role;
  readonly productionDeployRole: iam.Role;

  constructor(scope: Construct, id: string, props: GithubDeployProps) {
    super(scope, id);
    this.provider = props.existingOidcProviderArn
      ? iam.OidcProviderNative.fromOidcProviderArn(this, 'Provider', props.existingOidcProviderArn)
      : new iam.OidcProviderNative(this, 'Provider', { url: GITHUB_OIDC_URL, clientIds: ['sts.amazonaws.com'] });

    this.imagePushRole = this.githubRole('ImagePushRole', 'nodeapp-github-image-push', props, 'ref:refs/heads/main');
    this.imagePushRole.addToPolicy(
      new iam.PolicyStatement({
        sid: 'PushAndReadImages',
        actions: [...new Set([...ECR_ACTIONS.push, ...ECR_ACTIONS.pull, ...ECR_ACTIONS.describe])].sort(),
        resources: [...props.repositoryArns],
      }),
    );
    this.imagePushRole.addToPolicy(
      new iam.PolicyStatement({ sid: 'EcrLogin', actions: [...ECR_ACTIONS.login], resources: ['*'] }),
    );
    acknowledge(
      this.imagePushRole,
      'AwsSolutions-IAM5[Resource::*]',
      'ecr:GetAuthorizationToken has no resource-level permissions; AWS requires Resource "*". Pushes are scoped to the image repositories.',
    );

    const deployRole = (roleId: string, environment: 'staging' | 'production') => {
      const role = this.githubRole(roleId, githubDeployRoleName(environment), props, `environment:${environment}`);
      role.addToPolicy(
        new iam.PolicyStatement({
          sid: 'AssumeCdkBootstrapRoles',
          actions: ['sts:AssumeRole', 'sts:TagSession'],
          resources: cdkBootstrapRoleArns(props.deployTargets[environment], props.bootstrapQualifier),
        }),
      );
      const target = props.deployTargets[environment];
      role.addToPolicy(
        new iam.PolicyStatement({
          sid: 'AssumeReleaseRole',
          actions: ['sts:AssumeRole'],
          resources: [`arn:aws:iam::${target.account}:role/${target.releaseRoleName}`],
        }),
      );
      role.addToPolicy(
        new iam.PolicyStatement({
          sid: 'CheckImageDigests',
          actions: [...ECR_ACTIONS.describe],
          resources: [...props.repositoryArns],
        }),
      );
      return role;
    };
    this.stagingDeployRole = deployRole('StagingDeployRole', 'staging');
    this.productionDeployRole = deployRole('ProductionDeployRole', 'production');
  }

  private githubRole(id: string, roleName: string, props: GithubDeployProps, context: string): iam.Role {
    return new iam.Role(this, id, {
      roleName,
      description: `GitHub Actions ${context} of ${props.repository}`,
      maxSessionDuration: Duration.hours(DEPLOY_SESSION_HOURS),
      // withSessionTags: the trust also allows sts:TagSession, which aws-actions/configure-aws-credentials
      // (6.2 and later) calls with the assume; the same aud/sub conditions apply to it.
      assumedBy: new iam.WebIdentityPrincipal(this.provider.oidcProviderArn, {
        StringEquals: { [`${GITHUB_OIDC_HOST}:aud`]: 'sts.amazonaws.com' },
        StringLike: { [`${GITHUB_OIDC_HOST}:sub`]: githubSubjects(props.repository, context) },
      }).withSessionTags(),
    });
  }
}
