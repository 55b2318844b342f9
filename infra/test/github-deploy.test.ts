// NodeappGithubDeploy: the three GitHub roles, their trust (main only, one exact subject each, under the repository's
// OIDC subject template), and the ECR actions each workflow command needs. Construct tests build GithubDeploy alone
// in a fresh Stack.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { loadConfig } from '../config/environments.ts';
import { validateConfig } from '../config/validate.ts';
import {
  DEPLOY_SESSION_HOURS,
  GithubDeploy,
  type GithubDeployProps,
  oidcSubjectSetupCommand,
  oidcSubjectSetupInstructions,
} from '../lib/constructs/github-deploy.ts';
import { buildTestApp, type CfnProperties, resourcesOf } from './helpers.ts';

const REPOSITORIES = ['app', 'prom'].map((r) => `arn:aws:ecr:us-east-1:222222222222:repository/${r}`);
const props: GithubDeployProps = {
  repository: 'acme/shop',
  repositoryArns: REPOSITORIES,
  bootstrapQualifier: 'hnb659fds',
  deployTargets: {
    staging: { account: '444444444444', region: 'us-east-1', releaseRoleName: 'Nodeapp-staging-release' },
    production: { account: '555555555555', region: 'us-east-1', releaseRoleName: 'Nodeapp-prod-release' },
  },
};

function build(overrides: Partial<GithubDeployProps> = {}): Template {
  const stack = new Stack(undefined, 'Test', { env: { account: '222222222222', region: 'us-east-1' } });
  new GithubDeploy(stack, 'GithubDeploy', { ...props, ...overrides });
  return Template.fromStack(stack);
}

const t = build();
const roles = new Map(
  resourcesOf(t, 'AWS::IAM::Role').map(([id, r]) => [r.Properties.RoleName as string, { id, ...r }]),
);
const ROLE_NAMES = ['nodeapp-github-image-push', 'nodeapp-github-deploy-staging', 'nodeapp-github-deploy-production'];

function trust(roleName: string): CfnProperties {
  const statements = roles.get(roleName)?.Properties.AssumeRolePolicyDocument.Statement as CfnProperties[];
  assert.equal(statements.length, 1, `${roleName}: one trust statement`);
  return statements[0] ?? {};
}

/** Whether the role's trust accepts this `sub`: StringEquals, exact (the trust has no StringLike at all). */
function trusts(roleName: string, sub: string, template: Map<string, { Properties: CfnProperties }> = roles): boolean {
  const statements = template.get(roleName)?.Properties.AssumeRolePolicyDocument.Statement as CfnProperties[];
  const condition = statements[0]?.Condition ?? {};
  return [condition.StringEquals['token.actions.githubusercontent.com:sub']].flat().includes(sub);
}

function statementsOf(roleName: string): CfnProperties[] {
  const id = roles.get(roleName)?.id;
  return resourcesOf(t, 'AWS::IAM::Policy')
    .filter(([, p]) => (p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref === id))
    .flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
}

/** Whether the role's identity policy allows `action` on `resource` (exact ARNs or "*", as this construct writes them). */
function allows(roleName: string, action: string, resource: string): boolean {
  return statementsOf(roleName).some(
    (s) =>
      s.Effect === 'Allow' &&
      [s.Action].flat().includes(action) &&
      [s.Resource].flat().some((r) => r === '*' || r === resource),
  );
}

/**
 * Every `sub` a job of this repository (or a look-alike) can present: with the subject template (repo, context, ref:
 * https://docs.github.com/en/actions/reference/security/oidc#customizing-the-subject-claims-for-an-organization-or-repository)
 * for each context and ref, and GitHub's default subjects (no ref) for when the template is missing.
 */
const CONTEXTS = [
  'ref:refs/heads/main',
  'ref:refs/heads/feature',
  'pull_request',
  'environment:staging',
  'environment:production',
  'environment:dev',
  'environment:production-copy',
];
const REFS = ['refs/heads/main', 'refs/heads/feature', 'refs/heads/main-old', 'refs/tags/main', 'refs/pull/1/merge'];
const REPOSITORIES_SEEN = ['acme/shop', 'acme@123/shop@456', 'acme/shop-fork', 'other/shop', 'acme@1/shop@2'];
const SUBJECTS = REPOSITORIES_SEEN.flatMap((repo) =>
  CONTEXTS.flatMap((context) => [
    `repo:${repo}:${context}`,
    ...REFS.map((ref) => `repo:${repo}:${context}:ref:${ref}`),
  ]),
);

describe('GitHub roles: trust', () => {
  it('creates the GitHub OIDC provider for sts.amazonaws.com, or imports the configured one', () => {
    t.hasResourceProperties('AWS::IAM::OIDCProvider', {
      Url: 'https://token.actions.githubusercontent.com',
      ClientIdList: ['sts.amazonaws.com'],
    });
    const imported = build({
      existingOidcProviderArn: 'arn:aws:iam::222222222222:oidc-provider/token.actions.githubusercontent.com',
    });
    imported.resourceCountIs('AWS::IAM::OIDCProvider', 0);
    assert.match(JSON.stringify(imported.toJSON()), /oidc-provider\/token\.actions\.githubusercontent\.com/);
  });

  it('has exactly the three roles, each with aud sts.amazonaws.com and sts:TagSession under the same conditions', () => {
    assert.deepEqual([...roles.keys()].sort(), [...ROLE_NAMES].sort());
    for (const name of ROLE_NAMES) {
      const s = trust(name);
      assert.equal(s.Condition.StringEquals['token.actions.githubusercontent.com:aud'], 'sts.amazonaws.com');
      assert.deepEqual([s.Action].flat().sort(), ['sts:AssumeRoleWithWebIdentity', 'sts:TagSession']);
    }
  });

  const expected: Record<string, string[]> = {
    'nodeapp-github-image-push': [
      'repo:acme/shop:ref:refs/heads/main:ref:refs/heads/main',
      'repo:acme/shop:ref:refs/heads/main',
    ],
    'nodeapp-github-deploy-staging': ['repo:acme/shop:environment:staging:ref:refs/heads/main'],
    'nodeapp-github-deploy-production': ['repo:acme/shop:environment:production:ref:refs/heads/main'],
  };
  for (const [roleName, subjects] of Object.entries(expected)) {
    it(`${roleName} trusts exactly ${subjects.join(' or ')}, no other branch, environment or repository`, () => {
      for (const sub of SUBJECTS) {
        assert.equal(
          trusts(roleName, sub),
          subjects.includes(sub),
          `${roleName} ${subjects.includes(sub) ? 'must' : 'must not'} trust ${sub}`,
        );
      }
    });
  }

  it('compares exact subjects, each ending in the main ref, without wildcards (StringEquals only)', () => {
    for (const name of ROLE_NAMES) {
      const condition = trust(name).Condition;
      assert.deepEqual(Object.keys(condition), ['StringEquals'], name);
      for (const sub of [condition.StringEquals['token.actions.githubusercontent.com:sub']].flat()) {
        assert.match(sub, /:ref:refs\/heads\/main$/, name);
        assert.doesNotMatch(sub, /[*?]/, name);
      }
    }
  });

  it('uses the immutable form only with the real IDs from the settings, and then only it', () => {
    const ids = build({ immutableIds: { owner: '123', repository: '456' } });
    const idRoles = new Map(resourcesOf(ids, 'AWS::IAM::Role').map(([, r]) => [r.Properties.RoleName as string, r]));
    assert.ok(
      trusts(
        'nodeapp-github-deploy-production',
        'repo:acme@123/shop@456:environment:production:ref:refs/heads/main',
        idRoles,
      ),
    );
    for (const sub of SUBJECTS.filter((s) => !s.startsWith('repo:acme@123/shop@456:'))) {
      assert.ok(!trusts('nodeapp-github-deploy-production', sub, idRoles), sub);
    }
    const config = loadConfig({
      NODEAPP_GITHUB_REPOSITORY: 'acme/shop',
      NODEAPP_GITHUB_OWNER_ID: '123',
      NODEAPP_GITHUB_REPOSITORY_ID: '456',
    });
    assert.deepEqual(config.shared.github.immutableIds, { owner: '123', repository: '456' });
    assert.throws(
      () => validateConfig(loadConfig({ NODEAPP_GITHUB_OWNER_ID: '123' })),
      /shared\.github\.immutableIds \(NODEAPP_GITHUB_OWNER_ID, NODEAPP_GITHUB_REPOSITORY_ID\): must both be GitHub's numeric IDs/,
    );
    assert.throws(
      () => validateConfig(loadConfig({ NODEAPP_GITHUB_OWNER_ID: '*', NODEAPP_GITHUB_REPOSITORY_ID: '4' })),
      /numeric IDs/,
    );
  });

  it('prints the one gh call that sets the subject template the trust expects', () => {
    assert.equal(
      oidcSubjectSetupCommand('acme/shop'),
      "gh api -X PUT repos/acme/shop/actions/oidc/customization/sub -F use_default=false -f 'include_claim_keys[]=repo' -f 'include_claim_keys[]=context' -f 'include_claim_keys[]=ref'",
    );
    const text = oidcSubjectSetupInstructions('acme/shop');
    assert.ok(text.includes(oidcSubjectSetupCommand('acme/shop')));
    assert.match(text, /repo:acme\/shop:environment:production:ref:refs\/heads\/main/);
    assert.match(text, /NODEAPP_GITHUB_OWNER_ID/);
  });

  it('takes the repository from NODEAPP_GITHUB_REPOSITORY and rejects a malformed one', () => {
    const config = loadConfig({ NODEAPP_GITHUB_REPOSITORY: 'acme/shop' });
    assert.equal(config.shared.github.repository, 'acme/shop');
    const stacks = buildTestApp({ env: 'dev', config });
    assert.match(
      JSON.stringify(Template.fromStack(stacks.githubDeploy).toJSON()),
      /repo:acme\/shop:environment:production:ref:refs\/heads\/main/,
    );
    assert.doesNotMatch(JSON.stringify(Template.fromStack(stacks.githubDeploy).toJSON()), /nodeapp-org/);
    assert.throws(
      () => validateConfig(loadConfig({ NODEAPP_GITHUB_REPOSITORY: 'acme/shop:ref:*' })),
      /shared\.github\.repository \(NODEAPP_GITHUB_REPOSITORY\): must be owner\/repo/,
    );
  });
});

describe('GitHub roles: permissions', () => {
  it("each deploy role may assume only its own account's CDK bootstrap roles and release role", () => {
    for (const [roleName, account] of [
      ['nodeapp-github-deploy-staging', '444444444444'],
      ['nodeapp-github-deploy-production', '555555555555'],
    ] as const) {
      const assume = statementsOf(roleName).filter((s) => [s.Action].flat().includes('sts:AssumeRole'));
      const resources = assume.flatMap((s) => [s.Resource].flat()) as string[];
      // The four CDK bootstrap roles and the environment's release role (migrate task, rollout watcher).
      assert.equal(resources.length, 5);
      const release = resources.filter((arn) => /:role\/Nodeapp-(staging|prod)-release$/.test(arn));
      assert.deepEqual(release, [
        `arn:aws:iam::${account}:role/Nodeapp-${roleName.endsWith('staging') ? 'staging' : 'prod'}-release`,
      ]);
      for (const arn of resources.filter((a) => !release.includes(a))) {
        assert.match(
          arn,
          new RegExp(
            `^arn:aws:iam::${account}:role/cdk-hnb659fds-(deploy|file-publishing|image-publishing|lookup)-role-${account}-us-east-1$`,
          ),
        );
      }
    }
    assert.ok(
      !statementsOf('nodeapp-github-image-push').some((s) =>
        [s.Action].flat().some((a: string) => a.startsWith('sts:')),
      ),
    );
  });

  // What each command of the workflow calls, from AWS's documentation (issue 13 item 3):
  // - ECR login (aws ecr get-login-password, amazon-ecr-login): GetAuthorizationToken
  //   https://docs.aws.amazon.com/AmazonECR/latest/userguide/registry_auth.html
  // - push (docker push, skopeo copy to ECR): https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-push-iam.html
  // - pull/read (docker buildx imagetools inspect; imagetools create reads each source's manifest and config blob;
  //   skopeo copy by digest reads the source): BatchGetImage + GetDownloadUrlForLayer (AmazonEC2ContainerRegistryPullOnly,
  //   https://docs.aws.amazon.com/AmazonECR/latest/userguide/security-iam-awsmanpol.html)
  // - aws ecr describe-images: DescribeImages
  //   (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonelasticcontainerregistry.html)
  const login = ['ecr:GetAuthorizationToken'];
  const push = [
    'ecr:BatchCheckLayerAvailability',
    'ecr:CompleteLayerUpload',
    'ecr:InitiateLayerUpload',
    'ecr:PutImage',
    'ecr:UploadLayerPart',
    'ecr:BatchGetImage',
  ];
  const read = ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'];
  const COMMANDS: Record<string, { roles: string[]; repository: string[]; global: string[] }> = {
    'ECR login': { roles: ROLE_NAMES.slice(0, 1), repository: [], global: login },
    'docker buildx imagetools inspect': { roles: ROLE_NAMES.slice(0, 1), repository: read, global: login },
    'docker buildx imagetools create': { roles: ROLE_NAMES.slice(0, 1), repository: [...read, ...push], global: login },
    'skopeo copy docker-archive → ECR by digest': {
      roles: ROLE_NAMES.slice(0, 1),
      repository: [...read, ...push],
      global: login,
    },
    'aws ecr describe-images': { roles: ROLE_NAMES, repository: ['ecr:DescribeImages'], global: [] },
  };
  for (const [command, need] of Object.entries(COMMANDS)) {
    it(`allows what ${command} needs, on every image repository`, () => {
      for (const roleName of need.roles) {
        for (const action of need.global) assert.ok(allows(roleName, action, '*'), `${roleName}: ${action} on *`);
        for (const repository of REPOSITORIES) {
          for (const action of need.repository) {
            assert.ok(allows(roleName, action, repository), `${roleName}: ${action} on ${repository}`);
          }
        }
      }
    });
  }

  it('grants nothing beyond those commands: ECR only, "*" only for GetAuthorizationToken, no ECR write for deploy roles', () => {
    const needed = new Set(Object.values(COMMANDS).flatMap((c) => [...c.repository, ...c.global]));
    for (const s of statementsOf('nodeapp-github-image-push')) {
      for (const action of [s.Action].flat()) assert.ok(needed.has(action), `push role: unexpected ${action}`);
      if ([s.Resource].flat().includes('*')) assert.deepEqual([s.Action].flat(), ['ecr:GetAuthorizationToken']);
    }
    for (const roleName of ROLE_NAMES.slice(1)) {
      const ecr = statementsOf(roleName)
        .flatMap((s) => [s.Action].flat())
        .filter((a: string) => a.startsWith('ecr:'));
      assert.deepEqual(ecr, ['ecr:DescribeImages'], roleName);
    }
    t.resourceCountIs('AWS::IAM::AccessKey', 0);
  });

  it(`sessions last up to ${DEPLOY_SESSION_HOURS} h, enough for a first prod deploy`, () => {
    for (const name of ROLE_NAMES)
      assert.equal(roles.get(name)?.Properties.MaxSessionDuration, DEPLOY_SESSION_HOURS * 3600);
    assert.ok(DEPLOY_SESSION_HOURS >= 2);
  });

  it('NodeappGithubDeploy outputs the three role ARNs the workflow reads', () => {
    const stacks = buildTestApp({ env: 'dev' });
    const stack = Template.fromStack(stacks.githubDeploy);
    for (const output of ['ImagePushRoleArn', 'StagingDeployRoleArn', 'ProductionDeployRoleArn'])
      stack.hasOutput(output, {});
    const production = resourcesOf(stack, 'AWS::IAM::Policy').flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
    assert.ok(JSON.stringify(production).includes('nodeapp-grafana'), 'ECR actions cover the monitoring repositories');
  });
});
