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

  it('trusts only the main branch and the named deployment environments of this repository', () => {
    const [, role] = resourcesOf(deploy, 'AWS::IAM::Role')[0] ?? [];
    const statement = role?.Properties.AssumeRolePolicyDocument.Statement[0];
    assert.equal(statement.Action, 'sts:AssumeRoleWithWebIdentity');
    assert.deepEqual(statement.Condition.StringEquals['token.actions.githubusercontent.com:sub'], [
      'repo:nodeapp-org/nodeapp:ref:refs/heads/main',
      'repo:nodeapp-org/nodeapp:environment:staging',
      'repo:nodeapp-org/nodeapp:environment:production',
    ]);
    assert.equal(statement.Condition.StringEquals['token.actions.githubusercontent.com:aud'], 'sts.amazonaws.com');
    assert.equal(statement.Condition.StringLike, undefined, 'no wildcard subjects');
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
