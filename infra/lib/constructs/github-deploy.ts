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
  /** GitHub's owner and repository IDs, for a repository with immutable OIDC subjects.
   * @default - name-only subjects (`repo:OWNER/REPO:…`) */
  readonly immutableIds?: GithubRepositoryIds;
  readonly existingOidcProviderArn?: string;
  /** ARNs of the ECR repositories of config/images.ts. */
  readonly repositoryArns: readonly string[];
  readonly bootstrapQualifier: string;
  /** GitHub deployment environment → the account/region its role deploys to (`staging`, `production`). */
  readonly deployTargets: Readonly<Record<'staging' | 'production', GithubRoleTarget>>;
}

export interface GithubRepositoryIds {
  readonly owner: string;
  readonly repository: string;
}

/** The branch every role trusts: images are pushed and both environments deployed from it only. */
export const DEPLOY_BRANCH = 'main';

/**
 * The repository's OIDC subject template (set once with {@link oidcSubjectSetupCommand}). With it, the `sub` of every
 * job names the repository, its context (`environment:NAME` for a job with `environment:`, else `ref:REF`) and the
 * ref, in that order: `repo:OWNER/REPO:environment:production:ref:refs/heads/main` (GitHub's example for
 * ["repo","context","job_workflow_ref"] is `repo:octo-org/octo-repo:environment:prod:job_workflow_ref:…`). Without it,
 * a job with an environment gets `repo:OWNER/REPO:environment:production` only, which any branch allowed to use the
 * environment presents.
 * https://docs.github.com/en/actions/reference/security/oidc#customizing-the-subject-claims-for-an-organization-or-repository
 */
export const SUBJECT_CLAIM_KEYS = ['repo', 'context', 'ref'] as const;

/**
 * The one `sub` a job of this repository presents under {@link SUBJECT_CLAIM_KEYS}, for a context
 * (`environment:staging`, or `ref:refs/heads/main` for a job without an environment) on the deploy branch. The `repo`
 * segment is `OWNER/REPO`, or `OWNER@OWNER-ID/REPO@REPO-ID` for a repository with immutable subjects (GitHub keeps the
 * IDs in it under a custom template: https://docs.github.com/en/actions/reference/security/oidc#immutable-subject-claims).
 * No wildcard: the trust compares it with StringEquals.
 */
export function githubSubject(repository: string, context: string, ids?: GithubRepositoryIds): string {
  return `${repoClaim(repository, ids)}:${context}:ref:refs/heads/${DEPLOY_BRANCH}`;
}

/** The `repo` segment of a subject: `repo:OWNER/REPO`, or with immutable IDs `repo:OWNER@ID/REPO@ID`. */
function repoClaim(repository: string, ids?: GithubRepositoryIds): string {
  const [owner, repo] = repository.split('/');
  return `repo:${ids ? `${owner}@${ids.owner}/${repo}@${ids.repository}` : `${owner}/${repo}`}`;
}

/**
 * The push role's subjects: a job without an environment on the deploy branch. Its context is the ref itself, so
 * under the template it reads `…:ref:refs/heads/main:ref:refs/heads/main`; GitHub's reference gives no example of
 * this case, so the single `…:ref:refs/heads/main` (the same job, were the ref not repeated) is accepted too. Both
 * are exact and both name the deploy branch only.
 */
export function imagePushSubjects(repository: string, ids?: GithubRepositoryIds): string[] {
  const ref = `ref:refs/heads/${DEPLOY_BRANCH}`;
  return [githubSubject(repository, ref, ids), `${repoClaim(repository, ids)}:${ref}`];
}

/**
 * The administrator's one-time GitHub setting the roles' trust depends on: the repository's OIDC subject template
 * (REST: https://docs.github.com/en/rest/actions/oidc#set-the-customization-template-for-an-oidc-subject-claim-for-a-repository).
 * Run it after `npm run deploy-shared` (GitHub: create the cloud's matching condition first, then the template).
 */
export function oidcSubjectSetupCommand(repository: string): string {
  const keys = SUBJECT_CLAIM_KEYS.map((key) => `-f 'include_claim_keys[]=${key}'`).join(' ');
  return `gh api -X PUT repos/${repository}/actions/oidc/customization/sub -F use_default=false ${keys}`;
}

/** What `deploy-shared` (and any other setup entry point) prints about the subject template. */
export function oidcSubjectSetupInstructions(repository: string, ids?: GithubRepositoryIds): string {
  return [
    `GitHub OIDC: the deploy roles trust only ${githubSubject(repository, 'environment:production', ids)} (and its staging twin).`,
    'Once per repository, as one of its administrators, set the subject template they expect:',
    `  ${oidcSubjectSetupCommand(repository)}`,
    `  check: gh api repos/${repository}/actions/oidc/customization/sub`,
    ids
      ? `Immutable subjects: owner ID ${ids.owner}, repository ID ${ids.repository} (NODEAPP_GITHUB_OWNER_ID, NODEAPP_GITHUB_REPOSITORY_ID).`
      : `If the check shows "use_immutable_subject": true, set NODEAPP_GITHUB_OWNER_ID and NODEAPP_GITHUB_REPOSITORY_ID (gh api repos/${repository} --jq '.owner.id, .id') and deploy again.`,
  ].join('\n');
}

/** The CDK bootstrap roles of one account/region (`cdk bootstrap`'s names with this qualifier). */
export function cdkBootstrapRoleArns(target: GithubRoleTarget, qualifier: string): string[] {
  return ['deploy', 'file-publishing', 'image-publishing', 'lookup'].map(
    (kind) => `arn:aws:iam::${target.account}:role/cdk-${qualifier}-${kind}-role-${target.account}-${target.region}`,
  );
}

/**
 * GitHub Actions → AWS without long-lived keys: the OIDC provider and one role per job kind (issue 12 item 15).
 * - image push: only jobs without an environment on `main`; ECR push/pull on the image repositories and nothing else;
 * - staging deploy: only jobs in the `staging` environment on `main`; staging's CDK bootstrap roles, ecr:DescribeImages;
 * - production deploy: only jobs in the `production` environment on `main`; prod's roles (the workflow's
 *   environment guard refuses an unprotected production environment: scripts/environment-guard.ts).
 * So neither a job on main nor the staging job can deploy production, and no other branch can deploy at all. Every
 * subject is one exact string (StringEquals) under the repository's subject template ({@link SUBJECT_CLAIM_KEYS}).
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

    this.imagePushRole = this.githubRole(
      'ImagePushRole',
      'nodeapp-github-image-push',
      props,
      `ref:refs/heads/${DEPLOY_BRANCH}`,
      imagePushSubjects(props.repository, props.immutableIds),
    );
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
      const context = `environment:${environment}`;
      const role = this.githubRole(roleId, githubDeployRoleName(environment), props, context, [
        githubSubject(props.repository, context, props.immutableIds),
      ]);
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

  private githubRole(
    id: string,
    roleName: string,
    props: GithubDeployProps,
    context: string,
    subjects: readonly string[],
  ): iam.Role {
    return new iam.Role(this, id, {
      roleName,
      description: `GitHub Actions ${context} of ${props.repository}`,
      maxSessionDuration: Duration.hours(DEPLOY_SESSION_HOURS),
      // withSessionTags: the trust also allows sts:TagSession, which aws-actions/configure-aws-credentials
      // (6.2 and later) calls with the assume; the same aud/sub conditions apply to it.
      assumedBy: new iam.WebIdentityPrincipal(this.provider.oidcProviderArn, {
        StringEquals: {
          [`${GITHUB_OIDC_HOST}:aud`]: 'sts.amazonaws.com',
          [`${GITHUB_OIDC_HOST}:sub`]: subjects.length === 1 ? subjects[0] : [...subjects],
        },
      }).withSessionTags(),
    });
  }
}
