// The bootstrap (issue 12 item 16): environment accounts' CloudFormation execution role is bounded so that no
// template the pipeline deploys can create an identity provider, change the pipeline's or the bootstrap roles, or
// loosen the boundary; everything else stays allowed. The statements are evaluated as IAM does for a boundary
// (an explicit Deny wins; otherwise the action must be allowed), on the generated template.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';
import { loadConfig } from '../config/environments.ts';
import { bootstrapArguments, EXECUTION_POLICY } from '../lib/bootstrap/bootstrap-command.ts';
import {
  boundedBootstrapTemplate,
  cdkBootstrapTemplate,
  type PolicyStatement,
} from '../lib/bootstrap/execution-boundary.ts';
import { testAccounts } from './helpers.ts';

const ACCOUNT = '555555555555';
const template = boundedBootstrapTemplate();
const boundary = template.Resources.NodeappExecutionBoundary;

/** Resolves the template's Fn::Sub strings for one account, partition aws, qualifier hnb659fds. */
function resolve(value: unknown): string[] {
  const one = (v: unknown): string => {
    const text = typeof v === 'string' ? v : ((v as { 'Fn::Sub': string })['Fn::Sub'] ?? '');
    const placeholders: [string, string][] = [
      ['AWS::Partition', 'aws'],
      ['AWS::AccountId', ACCOUNT],
      ['Qualifier', 'hnb659fds'],
    ];
    return placeholders.reduce((t, [name, value]) => t.replaceAll(`\${${name}}`, value), text);
  };
  return [value].flat().map(one);
}
const glob = (pattern: string, text: string) =>
  new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replaceAll('*', '.*')}$`).test(text);

function matches(s: PolicyStatement, action: string, resource: string): boolean {
  const actionMatch = s.NotAction
    ? !s.NotAction.some((a) => glob(a, action))
    : [s.Action].flat().some((a) => glob(a ?? '', action));
  return actionMatch && resolve(s.Resource).some((r) => glob(r, resource));
}
function boundaryAllows(action: string, resource: string): boolean {
  const statements = boundary.Properties.PolicyDocument.Statement as PolicyStatement[];
  if (statements.some((s) => s.Effect === 'Deny' && matches(s, action, resource))) return false;
  return statements.some((s) => s.Effect === 'Allow' && matches(s, action, resource));
}

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

  const denied: [string, string][] = [
    ['iam:UpdateAssumeRolePolicy', `arn:aws:iam::${ACCOUNT}:role/nodeapp-github-deploy-production`],
    ['iam:CreateRole', `arn:aws:iam::${ACCOUNT}:role/nodeapp-github-image-push`],
    ['iam:PutRolePolicy', `arn:aws:iam::${ACCOUNT}:role/nodeapp-github-deploy-staging`],
    ['iam:CreateOpenIDConnectProvider', `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`],
    ['iam:DeleteOpenIDConnectProvider', `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`],
    ['iam:CreateSAMLProvider', `arn:aws:iam::${ACCOUNT}:saml-provider/x`],
    ['iam:UpdateAssumeRolePolicy', `arn:aws:iam::${ACCOUNT}:role/cdk-hnb659fds-deploy-role-${ACCOUNT}-us-east-1`],
    ['iam:AttachRolePolicy', `arn:aws:iam::${ACCOUNT}:role/cdk-hnb659fds-cfn-exec-role-${ACCOUNT}-us-east-1`],
    [
      'iam:DeleteRolePermissionsBoundary',
      `arn:aws:iam::${ACCOUNT}:role/cdk-hnb659fds-cfn-exec-role-${ACCOUNT}-us-east-1`,
    ],
    ['iam:CreatePolicyVersion', `arn:aws:iam::${ACCOUNT}:policy/cdk-hnb659fds-nodeapp-exec-boundary`],
    ['iam:DeletePolicy', `arn:aws:iam::${ACCOUNT}:policy/cdk-hnb659fds-nodeapp-exec-boundary`],
  ];
  for (const [action, resource] of denied) {
    it(`denies ${action} on ${resource.split(':').at(-1)}`, () =>
      assert.equal(boundaryAllows(action, resource), false));
  }

  it('allows what the stacks create (roles of their own, services, keys)', () => {
    for (const [action, resource] of [
      ['iam:CreateRole', `arn:aws:iam::${ACCOUNT}:role/Nodeapp-prod-Service-TaskRole-ABC`],
      ['iam:PassRole', `arn:aws:iam::${ACCOUNT}:role/Nodeapp-prod-Service-TaskRole-ABC`],
      ['iam:GetRole', `arn:aws:iam::${ACCOUNT}:role/cdk-hnb659fds-deploy-role-${ACCOUNT}-us-east-1`],
      ['ecs:CreateService', '*'],
      ['kms:CreateKey', '*'],
      ['rds:CreateDBInstance', `arn:aws:rds:us-east-1:${ACCOUNT}:db:x`],
    ] as const) {
      assert.ok(boundaryAllows(action, resource), `${action} on ${resource}`);
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
