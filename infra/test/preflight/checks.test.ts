// Each preflight check passing on a ready account and failing, with its message and fix, on the one difference the
// check is about. AWS answers come from aws-sdk-client-mock (fixtures.ts); nothing leaves the process.
import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
import { DescribeCertificateCommand } from '@aws-sdk/client-acm';
import { DescribeStackResourcesCommand } from '@aws-sdk/client-cloudformation';
import {
  DescribeAddressesCommand,
  DescribeAvailabilityZonesCommand,
  DescribeInstanceTypeOfferingsCommand,
  DescribeManagedPrefixListsCommand,
  DescribeVpcsCommand,
} from '@aws-sdk/client-ec2';
import { GetRoleCommand, ListOpenIDConnectProvidersCommand } from '@aws-sdk/client-iam';
import { DescribeOrderableDBInstanceOptionsCommand } from '@aws-sdk/client-rds';
import { DescribeSecretCommand } from '@aws-sdk/client-secrets-manager';
import { GetServiceQuotaCommand } from '@aws-sdk/client-service-quotas';
import { ListSubscriptionsByTopicCommand } from '@aws-sdk/client-sns';
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import { AssumeRoleCommand, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { loadConfig } from '../../config/environments.ts';
import type { EnvironmentConfig, NodeappConfig } from '../../config/types.ts';
import { FARGATE_SPOT_VCPU, fargateVcpus } from '../../preflight/checks/fargate-quotas.ts';
import type { CheckResult } from '../../preflight/result.ts';
import { runPreflight } from '../../preflight/run.ts';
import {
  ACCOUNTS,
  environment,
  mockHealthyAccount,
  mocks,
  offerings,
  sdkError,
  testConfig,
  ZONES,
} from './fixtures.ts';

const PROVIDER = `arn:aws:iam::${ACCOUNTS.shared}:oidc-provider/token.actions.githubusercontent.com`;
const SHARED_ADMIN = `arn:aws:iam::${ACCOUNTS.shared}:user/admin`;

async function results(name: string, config: NodeappConfig = testConfig()): Promise<Map<string, CheckResult>> {
  const list = await runPreflight(config, environment(config, name));
  return new Map(list.map((r) => [r.check, r]));
}

async function result(name: string, check: string, config?: NodeappConfig): Promise<CheckResult> {
  const found = (await results(name, config)).get(check);
  assert.ok(found, `no ${check} line`);
  return found;
}

function assertFails(r: CheckResult, detail: RegExp, fix: RegExp): void {
  assert.equal(r.status, 'fail', `${r.check} should fail: ${r.detail}`);
  assert.match(r.detail, detail);
  assert.match(r.fix ?? '', fix);
}

describe('a ready account', () => {
  test('every check of every environment passes or does not apply', async () => {
    for (const name of ['dev', 'staging', 'prod']) {
      mockHealthyAccount(ACCOUNTS[name as keyof typeof ACCOUNTS]);
      const all = [...(await results(name)).values()];
      assert.deepEqual(
        all.filter((r) => r.status === 'fail'),
        [],
      );
      assert.deepEqual(
        all.map((r) => r.check),
        [
          'account',
          'bootstrap',
          'execution-boundary',
          'github-oidc',
          'zones',
          'vpc-origin-zones',
          'ec2-offerings',
          'rds-orderable',
          'cloudfront-prefix-list',
          'service-linked-roles',
          'quotas',
          'fargate-quotas',
          'certificate',
          'secrets',
          'alarm-subscriptions',
        ],
      );
    }
  });
});

describe('account', () => {
  beforeEach(() => mockHealthyAccount(ACCOUNTS.dev));

  test('the placeholder account names the variable to set', async () => {
    const all = await runPreflight(testConfig(), { ...environment(testConfig(), 'dev'), account: '111111111111' });
    assert.equal(all.length, 1, 'nothing else runs without an account');
    assertFails(all[0] as CheckResult, /NODEAPP_ACCOUNT_DEV is not set/, /export NODEAPP_ACCOUNT_DEV=/);
  });

  test("credentials in the environment's account pass and read it directly", async () => {
    const r = await result('dev', 'account');
    assert.equal(r.status, 'pass');
    assert.match(r.detail, new RegExp(`in dev's account ${ACCOUNTS.dev}`));
  });

  test('credentials in a third account fail', async () => {
    mocks.sts
      .on(GetCallerIdentityCommand)
      .resolves({ Account: '444400005555', Arn: 'arn:aws:iam::444400005555:user/x' });
    const all = await results('dev');
    assert.equal(all.size, 1);
    assertFails(all.get('account') as CheckResult, /account 444400005555, neither dev's/, /NODEAPP_ACCOUNT_DEV/);
  });

  test('no credentials at all fail with how to sign in', async () => {
    mocks.sts.on(GetCallerIdentityCommand).rejects(sdkError('CredentialsProviderError', 'Could not load credentials'));
    assertFails(await result('dev', 'account'), /sts:GetCallerIdentity failed/, /aws sso login/);
  });

  test('shared-account credentials read the environment through its CDK lookup role', async () => {
    mocks.sts
      .on(GetCallerIdentityCommand)
      .resolvesOnce({ Account: ACCOUNTS.shared, Arn: SHARED_ADMIN })
      .resolves({ Account: ACCOUNTS.dev, Arn: 'arn:aws:sts::x:assumed-role/lookup/nodeapp-preflight' });
    const r = await result('dev', 'account');
    assert.equal(r.status, 'pass');
    assert.match(r.detail, new RegExp(`cdk-hnb659fds-lookup-role-${ACCOUNTS.dev}-us-east-1`));
  });

  test('shared-account credentials that cannot assume the lookup role fail with the bootstrap trust fix', async () => {
    mocks.sts
      .on(GetCallerIdentityCommand)
      .resolvesOnce({ Account: ACCOUNTS.shared, Arn: SHARED_ADMIN })
      .rejects(sdkError('AccessDenied', 'not authorized to perform: sts:AssumeRole'));
    mocks.sts.on(AssumeRoleCommand).rejects(sdkError('AccessDenied'));
    assertFails(
      await result('dev', 'account'),
      /cannot assume arn:aws:iam::111100002222:role\/cdk-hnb659fds-lookup-role/,
      new RegExp(`--trust-for-lookup ${ACCOUNTS.shared}`),
    );
  });
});

describe('bootstrap', () => {
  beforeEach(() => mockHealthyAccount(ACCOUNTS.dev));

  test('passes at or above the version this aws-cdk-lib needs', async () => {
    const r = await result('dev', 'bootstrap');
    assert.equal(r.status, 'pass');
    assert.match(r.detail, /\/cdk-bootstrap\/hnb659fds\/version = 30 \(needs >= \d+\)/);
    assert.deepEqual(mocks.ssm.commandCalls(GetParameterCommand)[0]?.args[0].input, {
      Name: '/cdk-bootstrap/hnb659fds/version',
    });
  });

  test('an unbootstrapped account fails', async () => {
    mocks.ssm.on(GetParameterCommand).rejects(sdkError('ParameterNotFound'));
    assertFails(await result('dev', 'bootstrap'), /not bootstrapped/, /bootstrap aws:\/\/111100002222\/us-east-1/);
  });

  test('an old bootstrap stack fails', async () => {
    mocks.ssm.on(GetParameterCommand).resolves({ Parameter: { Value: '6' } });
    assertFails(await result('dev', 'bootstrap'), /is 6; this aws-cdk-lib needs at least 8/, /re-run the bootstrap/);
  });
});

describe('github-oidc', () => {
  // Shared-account credentials: the environment's reads go through the lookup role, whose identity says dev.
  function asShared(arn = SHARED_ADMIN): void {
    mocks.sts.reset(); // a once-answer counts calls since the last reset
    mocks.sts
      .on(GetCallerIdentityCommand)
      .resolvesOnce({ Account: ACCOUNTS.shared, Arn: arn })
      .resolves({ Account: ACCOUNTS.dev, Arn: 'arn:aws:sts::x:assumed-role/lookup/p' });
  }
  beforeEach(() => {
    mockHealthyAccount(ACCOUNTS.shared, SHARED_ADMIN);
    asShared();
  });

  function withProvider(config: NodeappConfig, existingOidcProviderArn: string): NodeappConfig {
    return { ...config, shared: { ...config.shared, github: { ...config.shared.github, existingOidcProviderArn } } };
  }

  test('no provider and none configured: the stack creates it', async () => {
    const r = await result('dev', 'github-oidc');
    assert.equal(r.status, 'pass');
    assert.match(r.detail, /NodeappGithubDeploy creates it/);
  });

  test('a provider made outside the stack while the config would create one fails with the ARN to configure', async () => {
    mocks.iam.on(ListOpenIDConnectProvidersCommand).resolves({ OpenIDConnectProviderList: [{ Arn: PROVIDER }] });
    mocks.cloudformation.on(DescribeStackResourcesCommand).rejects(sdkError('ValidationError', 'does not exist'));
    assertFails(
      await result('dev', 'github-oidc'),
      /exists outside NodeappGithubDeploy: creating another fails with EntityAlreadyExists/,
      new RegExp(`set shared.github.existingOidcProviderArn .* to '${PROVIDER}'`),
    );
  });

  test("the stack's own provider passes", async () => {
    mocks.iam.on(ListOpenIDConnectProvidersCommand).resolves({ OpenIDConnectProviderList: [{ Arn: PROVIDER }] });
    mocks.cloudformation
      .on(DescribeStackResourcesCommand)
      .resolves({ StackResources: [{ PhysicalResourceId: PROVIDER } as never] });
    assert.equal((await result('dev', 'github-oidc')).status, 'pass');
  });

  test('a configured existing provider passes when present and fails when absent', async () => {
    mocks.iam.on(ListOpenIDConnectProvidersCommand).resolves({ OpenIDConnectProviderList: [{ Arn: PROVIDER }] });
    assert.equal((await result('dev', 'github-oidc', withProvider(testConfig(), PROVIDER))).status, 'pass');
    asShared();
    mocks.iam.on(ListOpenIDConnectProvidersCommand).resolves({ OpenIDConnectProviderList: [] });
    assertFails(
      await result('dev', 'github-oidc', withProvider(testConfig(), PROVIDER)),
      /which does not exist/,
      /remove shared.github.existingOidcProviderArn/,
    );
  });

  test('the pipeline deploy role, which cannot read IAM, came through the provider', async () => {
    const role = `arn:aws:sts::${ACCOUNTS.shared}:assumed-role/nodeapp-github-deploy-staging/gha`;
    asShared(role);
    mocks.iam.on(ListOpenIDConnectProvidersCommand).rejects(sdkError('AccessDenied'));
    assert.equal((await result('dev', 'github-oidc')).status, 'pass');
  });

  test('other credentials that cannot read IAM fail', async () => {
    mocks.iam
      .on(ListOpenIDConnectProvidersCommand)
      .rejects(sdkError('AccessDenied', 'no iam:ListOpenIDConnectProviders'));
    assertFails(await result('dev', 'github-oidc'), /could not read: AccessDenied/, /read access/);
  });

  test('credentials in the environment account cannot see the shared account: not checked', async () => {
    mockHealthyAccount(ACCOUNTS.dev);
    const r = await result('dev', 'github-oidc');
    assert.equal(r.status, 'skip');
    assert.match(r.detail, /run the preflight with shared-account credentials before npm run deploy-shared/);
  });
});

describe('zones and what they offer', () => {
  beforeEach(() => mockHealthyAccount(ACCOUNTS.dev));

  test('zone names are shown with their zone IDs in this account', async () => {
    const r = await result('dev', 'zones');
    assert.equal(r.status, 'pass');
    assert.equal(r.detail, 'us-east-1a = use1-az4, us-east-1b = use1-az6');
  });

  test('a configured zone the account does not have fails', async () => {
    mocks.ec2.on(DescribeAvailabilityZonesCommand).resolves({
      AvailabilityZones: ZONES.filter((z) => z.ZoneName !== 'us-east-1b').map((z) => ({
        ...z,
        State: 'available' as const,
      })),
    });
    assertFails(
      await result('dev', 'zones'),
      /us-east-1b not available in 111100002222\/us-east-1/,
      /availabilityZones/,
    );
  });

  test("the NAT instance type missing in a zone fails, naming the zone's ID", async () => {
    mocks.ec2.on(DescribeInstanceTypeOfferingsCommand).callsFake(offerings(['t4g.nano@us-east-1b']));
    assertFails(
      await result('dev', 'ec2-offerings'),
      /not offered: t4g.nano in us-east-1b \(use1-az6\)/,
      /infra\/README.md "Availability zones"/,
    );
    const input = mocks.ec2.commandCalls(DescribeInstanceTypeOfferingsCommand)[0]?.args[0].input;
    assert.equal(input?.LocationType, 'availability-zone');
  });

  test('container instance types are checked when capacity is ec2; none are launched with NAT gateways on Fargate', async () => {
    mockHealthyAccount(ACCOUNTS.prod);
    assert.equal((await result('prod', 'ec2-offerings')).status, 'skip');
    const config = testConfig();
    const ec2Prod = {
      ...config,
      environments: config.environments.map((e) => (e.name === 'prod' ? { ...e, capacity: 'ec2' as const } : e)),
    };
    mocks.ec2.on(DescribeInstanceTypeOfferingsCommand).callsFake(offerings(['t4g.medium@us-east-1c']));
    assertFails(await result('prod', 'ec2-offerings', ec2Prod), /t4g.medium in us-east-1c \(use1-az1\)/, /zones/);
  });

  test('the RDS class passes for any minor of the engine major', async () => {
    const r = await result('dev', 'rds-orderable');
    assert.equal(r.status, 'pass');
    assert.match(r.detail, /db.t4g.micro postgres 18 orderable in us-east-1a \(use1-az4\), us-east-1b/);
    const input = mocks.rds.commandCalls(DescribeOrderableDBInstanceOptionsCommand)[0]?.args[0].input;
    assert.deepEqual([input?.Engine, input?.DBInstanceClass, input?.Vpc], ['postgres', 'db.t4g.micro', true]);
  });

  test('an RDS class without the engine major fails', async () => {
    mocks.rds.on(DescribeOrderableDBInstanceOptionsCommand).resolves({
      OrderableDBInstanceOptions: [{ EngineVersion: '17.6', AvailabilityZones: [{ Name: 'us-east-1a' }] }],
    });
    assertFails(await result('dev', 'rds-orderable'), /db.t4g.micro postgres 18 is not orderable/, /rds.instanceType/);
  });

  test('an RDS class missing in a zone fails', async () => {
    mocks.rds.on(DescribeOrderableDBInstanceOptionsCommand).resolves({
      OrderableDBInstanceOptions: [
        { EngineVersion: '18.1', MultiAZCapable: true, AvailabilityZones: [{ Name: 'us-east-1a' }] },
      ],
    });
    assertFails(await result('dev', 'rds-orderable'), /not orderable in us-east-1b \(use1-az6\)/, /zones/);
  });

  test("prod's Multi-AZ instance needs a Multi-AZ capable offering", async () => {
    mockHealthyAccount(ACCOUNTS.prod);
    mocks.rds.on(DescribeOrderableDBInstanceOptionsCommand).resolves({
      OrderableDBInstanceOptions: [
        { EngineVersion: '18.1', MultiAZCapable: false, AvailabilityZones: ZONES.map((z) => ({ Name: z.ZoneName })) },
      ],
    });
    assertFails(
      await result('prod', 'rds-orderable'),
      /db.m7g.large postgres 18 is not Multi-AZ capable/,
      /rds.instanceType/,
    );
  });
});

describe('cloudfront-prefix-list', () => {
  beforeEach(() => mockHealthyAccount(ACCOUNTS.dev));

  test("passes when the region's list is the configured one", async () => {
    assert.equal((await result('dev', 'cloudfront-prefix-list')).status, 'pass');
  });

  test('another ID fails with the ID to configure', async () => {
    mocks.ec2.on(DescribeManagedPrefixListsCommand).resolves({ PrefixLists: [{ PrefixListId: 'pl-0123abcd' }] });
    assertFails(
      await result('dev', 'cloudfront-prefix-list'),
      /is pl-0123abcd, config has pl-3b927c52/,
      /set edge.cloudFrontPrefixListId to 'pl-0123abcd' for dev/,
    );
  });
});

describe('service-linked-roles', () => {
  beforeEach(() => mockHealthyAccount(ACCOUNTS.dev));

  test('present roles pass, listed by name', async () => {
    const r = await result('dev', 'service-linked-roles');
    assert.equal(r.status, 'pass');
    assert.match(r.detail, /AWSServiceRoleForECS, AWSServiceRoleForElasticLoadBalancing/);
    assert.match(r.detail, /AWSServiceRoleForRDS/);
  });

  test('a missing role fails with the command that creates it', async () => {
    mocks.iam.on(GetRoleCommand, { RoleName: 'AWSServiceRoleForECS' }).rejects(sdkError('NoSuchEntityException'));
    assertFails(
      await result('dev', 'service-linked-roles'),
      /missing in 111100002222: AWSServiceRoleForECS \(ECS cluster and services\)/,
      /aws iam create-service-linked-role --aws-service-name ecs.amazonaws.com/,
    );
  });
});

function editEnv(name: string, edit: (e: EnvironmentConfig) => EnvironmentConfig): NodeappConfig {
  const config = testConfig();
  return { ...config, environments: config.environments.map((e) => (e.name === name ? edit(e) : e)) };
}

describe('quotas', () => {
  beforeEach(() => mockHealthyAccount(ACCOUNTS.prod));
  const stackTag = [{ Key: 'aws:cloudformation:stack-name', Value: 'Nodeapp-prod-Network' }];

  test("room for prod's VPC and its three NAT gateways' Elastic IPs passes", async () => {
    const r = await result('prod', 'quotas');
    assert.equal(r.status, 'pass');
    assert.match(r.detail, /VPCs 1 \+ 1 of 5, Elastic IPs 0 \+ 3 of 5/);
  });

  test('a full VPC quota fails; an applied quota counts over the default', async () => {
    mocks.ec2.on(DescribeVpcsCommand).resolves({ Vpcs: ['a', 'b', 'c', 'd', 'e'].map((v) => ({ VpcId: `vpc-${v}` })) });
    assertFails(await result('prod', 'quotas'), /VPCs: 5 used \+ 1 needed > quota 5/, /quota increase/);
    mocks.serviceQuotas.on(GetServiceQuotaCommand).resolves({ Quota: { Value: 10 } });
    assert.equal((await result('prod', 'quotas')).status, 'pass');
  });

  test("Elastic IPs: other stacks' addresses count, the environment's own do not", async () => {
    mocks.ec2.on(DescribeAddressesCommand).resolves({ Addresses: [{}, {}, {}] });
    assertFails(await result('prod', 'quotas'), /Elastic IPs: 3 used \+ 3 needed > quota 5/, /Service Quotas/);
    mocks.ec2.on(DescribeAddressesCommand).resolves({ Addresses: [{ Tags: stackTag }, { Tags: stackTag }, {}] });
    mocks.ec2.on(DescribeVpcsCommand).resolves({ Vpcs: [{ VpcId: 'vpc-ours', Tags: stackTag }] });
    const r = await result('prod', 'quotas');
    assert.equal(r.status, 'pass');
    assert.match(r.detail, /VPCs 1 \+ 0 of 5, Elastic IPs 3 \+ 1 of 5/);
  });
});

describe('certificate', () => {
  beforeEach(() => mockHealthyAccount(ACCOUNTS.prod));
  const arn = `arn:aws:acm:us-east-1:${ACCOUNTS.prod}:certificate/abc`;
  const withDomain = (name: string, certificateArn = arn) =>
    editEnv('prod', (e) => ({ ...e, edge: { ...e.edge, domain: { name, certificateArn } } }));

  test('without a custom domain there is nothing to check', async () => {
    assert.equal((await result('prod', 'certificate')).status, 'skip');
  });

  test('an issued certificate covering the domain passes (exact name or one-level wildcard)', async () => {
    assert.equal((await result('prod', 'certificate', withDomain('www.example.com'))).status, 'pass');
    assert.equal((await result('prod', 'certificate', withDomain('example.com'))).status, 'pass');
    assert.equal(mocks.acm.commandCalls(DescribeCertificateCommand)[0]?.args[0].input.CertificateArn, arn);
  });

  test('a certificate not covering the domain, not issued, absent or in another region fails', async () => {
    assertFails(
      await result('prod', 'certificate', withDomain('a.b.example.com')),
      /covers example.com, \*.example.com, not a.b.example.com/,
      /issue a certificate for a.b.example.com in ACM us-east-1/,
    );
    mocks.acm
      .on(DescribeCertificateCommand)
      .resolves({ Certificate: { DomainName: 'example.com', Status: 'PENDING_VALIDATION' } });
    assertFails(
      await result('prod', 'certificate', withDomain('example.com')),
      /is PENDING_VALIDATION, not ISSUED/,
      /validation/,
    );
    mocks.acm.on(DescribeCertificateCommand).rejects(sdkError('ResourceNotFoundException'));
    assertFails(await result('prod', 'certificate', withDomain('example.com')), /does not exist/, /ACM us-east-1/);
    const euArn = `arn:aws:acm:eu-west-1:${ACCOUNTS.prod}:certificate/abc`;
    assertFails(
      await result('prod', 'certificate', withDomain('example.com', euArn)),
      /is not in us-east-1/,
      /ACM us-east-1/,
    );
  });
});

describe('secrets', () => {
  beforeEach(() => mockHealthyAccount(ACCOUNTS.dev));
  const site24x7On = () => editEnv('dev', (e) => ({ ...e, site24x7: { ...e.site24x7, enabled: true } }));

  test('Site24x7 off: no secret to check', async () => {
    assert.equal((await result('dev', 'secrets')).status, 'skip');
  });

  test("Site24x7 on: the device key's secret must exist", async () => {
    assert.equal((await result('dev', 'secrets', site24x7On())).status, 'pass');
    mocks.secretsManager.on(DescribeSecretCommand).rejects(sdkError('ResourceNotFoundException'));
    assertFails(
      await result('dev', 'secrets', site24x7On()),
      /nodeapp\/site24x7-device-key \(Site24x7 device key\) does not exist/,
      /aws secretsmanager create-secret --name nodeapp\/site24x7-device-key/,
    );
  });
});

describe('vpc-origin-zones', () => {
  beforeEach(() => mockHealthyAccount(ACCOUNTS.dev));

  test('a configured zone that is use1-az3 in this account fails, naming it', async () => {
    mocks.ec2.on(DescribeAvailabilityZonesCommand).resolves({
      AvailabilityZones: [
        { ZoneName: 'us-east-1a', ZoneId: 'use1-az3', State: 'available' },
        { ZoneName: 'us-east-1b', ZoneId: 'use1-az6', State: 'available' },
      ],
    });
    assertFails(
      await result('dev', 'vpc-origin-zones'),
      /us-east-1a \(use1-az3\) cannot hold the CloudFront VPC origin/,
      /not use1-az3/,
    );
  });

  test('other zones pass', async () => {
    assert.equal((await result('dev', 'vpc-origin-zones')).status, 'pass');
  });
});

describe('fargate-quotas', () => {
  test("the vCPUs of each environment's maximum scale, by capacity provider", () => {
    const config = testConfig();
    // dev: 2 × 0.25 vCPU, all Spot; Prometheus + Grafana 0.5 vCPU on Spot.
    assert.deepEqual(fargateVcpus(environment(config, 'dev')), { onDemand: 0, spot: 1 });
    // prod: 12 × 1 vCPU, base 2 on-demand, the other 10 split 1:3 (8 Spot); monitoring 0.75 on-demand.
    assert.deepEqual(fargateVcpus(environment(config, 'prod')), { onDemand: 4.75, spot: 8 });
  });

  test('a quota below the maximum scale fails, naming it', async () => {
    mockHealthyAccount(ACCOUNTS.prod);
    mocks.serviceQuotas.on(GetServiceQuotaCommand, FARGATE_SPOT_VCPU).resolves({ Quota: { Value: 6 } });
    assertFails(await result('prod', 'fargate-quotas'), /Spot 8 vCPU > quota 6/, /Fargate vCPU quota increase/);
  });
});

describe('execution-boundary', () => {
  test("an environment's own account: the boundary must be on the execution role", async () => {
    mockHealthyAccount(ACCOUNTS.staging);
    assert.equal((await result('staging', 'execution-boundary')).status, 'pass');
    mocks.iam.on(GetRoleCommand).resolves({ Role: { RoleName: 'x' } as never });
    assertFails(
      await result('staging', 'execution-boundary'),
      /has no permissions boundary/,
      /npm run bootstrap -w infra -- --env staging/,
    );
  });

  test('a one-account trial has none, by design', async () => {
    const trial = loadConfig({ NODEAPP_ACCOUNT_SHARED: ACCOUNTS.dev, NODEAPP_ACCOUNT_DEV: ACCOUNTS.dev });
    mockHealthyAccount(ACCOUNTS.dev);
    assert.equal((await result('dev', 'execution-boundary', trial)).status, 'skip');
  });
});

describe('alarm-subscriptions', () => {
  beforeEach(() => mockHealthyAccount(ACCOUNTS.dev));

  test('lists the addresses still PendingConfirmation', async () => {
    mocks.cloudformation.on(DescribeStackResourcesCommand, { StackName: 'Nodeapp-dev-Service' }).resolves({
      StackResources: [
        { ResourceType: 'AWS::SNS::Topic', PhysicalResourceId: 'arn:aws:sns:us-east-1:1:alarms' } as never,
      ],
    });
    mocks.sns.on(ListSubscriptionsByTopicCommand).resolves({
      Subscriptions: [
        { Endpoint: 'dev@team.test', SubscriptionArn: 'PendingConfirmation' },
        { Endpoint: 'ok@team.test', SubscriptionArn: 'arn:aws:sns:us-east-1:1:alarms:abc' },
      ],
    });
    const r = await result('dev', 'alarm-subscriptions');
    assert.equal(r.status, 'pass');
    assert.match(r.detail, /pending confirmation .*: dev@team\.test$/);
  });

  test('before the first deploy: skipped, saying who will confirm', async () => {
    mocks.cloudformation
      .on(DescribeStackResourcesCommand, { StackName: 'Nodeapp-dev-Service' })
      .rejects(sdkError('ValidationError', 'Stack with id Nodeapp-dev-Service does not exist'));
    const r = await result('dev', 'alarm-subscriptions');
    assert.equal(r.status, 'skip');
    assert.match(r.detail, /dev@team\.test confirms after the first deploy/);
  });
});
