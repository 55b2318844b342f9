import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Template } from 'aws-cdk-lib/assertions';
import { buildTestApp, resourcesOf } from './helpers.ts';

const stacks = buildTestApp({ env: 'dev' });
const deploy = Template.fromStack(stacks.githubDeploy);

describe('GitHub deploy access', () => {
  it('creates the GitHub OIDC provider for sts.amazonaws.com', () => {
    deploy.hasResourceProperties('AWS::IAM::OIDCProvider', {
      Url: 'https://token.actions.githubusercontent.com',
      ClientIdList: ['sts.amazonaws.com'],
    });
  });

  const [, role] = resourcesOf(deploy, 'AWS::IAM::Role')[0] ?? [];
  const statement = role?.Properties.AssumeRolePolicyDocument.Statement[0];
  const subjects = statement?.Condition.StringLike?.['token.actions.githubusercontent.com:sub'] as string[];

  /** How IAM evaluates StringLike: `*` any run of characters, `?` one character, everything else literal. */
  const trusted = (sub: string) =>
    subjects.some((pattern) =>
      new RegExp(
        `^${pattern
          .replace(/[.+^${}()|[\]\\]/g, '\\$&')
          .replaceAll('*', '.*')
          .replaceAll('?', '.')}$`,
      ).test(sub),
    );

  it('trusts the main branch and the named deployment environments, with and without immutable ids', () => {
    assert.equal(statement.Condition.StringEquals['token.actions.githubusercontent.com:aud'], 'sts.amazonaws.com');
    assert.equal(statement.Condition.StringEquals['token.actions.githubusercontent.com:sub'], undefined);
    assert.equal(statement.Condition.StringLike['token.actions.githubusercontent.com:aud'], undefined);
    for (const sub of [
      'repo:nodeapp-org/nodeapp:ref:refs/heads/main',
      'repo:nodeapp-org/nodeapp:environment:staging',
      'repo:nodeapp-org/nodeapp:environment:production',
      'repo:nodeapp-org@123456/nodeapp@456789:ref:refs/heads/main',
      'repo:nodeapp-org@123456/nodeapp@456789:environment:staging',
      'repo:nodeapp-org@123456/nodeapp@456789:environment:production',
    ]) {
      assert.ok(trusted(sub), `should trust ${sub}`);
    }
  });

  it('trusts no other branch, pull request, environment, repository or owner', () => {
    for (const sub of [
      'repo:nodeapp-org/nodeapp:ref:refs/heads/feature',
      'repo:nodeapp-org/nodeapp:ref:refs/heads/main-old',
      'repo:nodeapp-org/nodeapp:ref:refs/tags/main',
      'repo:nodeapp-org/nodeapp:pull_request',
      'repo:nodeapp-org/nodeapp:environment:dev',
      'repo:nodeapp-org/nodeapp:environment:production-copy',
      'repo:nodeapp-org@123456/nodeapp@456789:pull_request',
      'repo:nodeapp-org@123456/nodeapp@456789:environment:dev',
      'repo:nodeapp-org/nodeapp-fork:ref:refs/heads/main',
      'repo:nodeapp-org@123456/nodeapp-fork@456789:ref:refs/heads/main',
      'repo:other-org/nodeapp:ref:refs/heads/main',
      'repo:nodeapp-org-evil@1/nodeapp@2:ref:refs/heads/main',
    ]) {
      assert.ok(!trusted(sub), `must not trust ${sub}`);
    }
  });

  it('allows sts:TagSession with the web identity assume (configure-aws-credentials tags the session)', () => {
    assert.deepEqual([statement.Action].flat().sort(), ['sts:AssumeRoleWithWebIdentity', 'sts:TagSession']);
    assert.equal(role?.Properties.AssumeRolePolicyDocument.Statement.length, 1, 'one statement: same conditions');
  });

  it('may only assume the CDK bootstrap roles and push to the one repository', () => {
    const [, policy] = resourcesOf(deploy, 'AWS::IAM::Policy')[0] ?? [];
    const statements = policy?.Properties.PolicyDocument.Statement as {
      Action: string | string[];
      Resource: unknown;
    }[];
    const assume = statements.find((s) => [s.Action].flat().includes('sts:AssumeRole'));
    const resources = assume?.Resource as string[];
    assert.ok(resources.length > 0);
    for (const arn of resources) {
      assert.match(
        arn,
        /^arn:aws:iam::\d{12}:role\/cdk-hnb659fds-(deploy|file-publishing|image-publishing|lookup)-role-/,
      );
    }
    const push = statements.find((s) => [s.Action].flat().includes('ecr:PutImage'));
    assert.notEqual(push?.Resource, '*');
    const wildcard = statements.filter((s) => s.Resource === '*');
    assert.deepEqual(
      wildcard.map((s) => s.Action),
      ['ecr:GetAuthorizationToken'],
    );
    deploy.hasOutput('DeployRoleArn', {});
    deploy.resourceCountIs('AWS::IAM::AccessKey', 0);
  });

  it('imports an existing OIDC provider instead of creating one when configured', () => {
    const base = stacks.config;
    const imported = buildTestApp({
      env: 'dev',
      config: {
        ...base,
        shared: {
          ...base.shared,
          github: {
            ...base.shared.github,
            existingOidcProviderArn: 'arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com',
          },
        },
      },
    });
    Template.fromStack(imported.githubDeploy).resourceCountIs('AWS::IAM::OIDCProvider', 0);
  });
});
