// aws-sdk-client-mock stubs for every client the preflight uses, answering as a healthy account would. Each test
// starts from these answers (mockHealthyAccount) and changes the one it is about. Nothing here reaches AWS: the
// mocks replace `send` on every instance of each client class.
import { ACMClient, DescribeCertificateCommand } from '@aws-sdk/client-acm';
import { CloudFormationClient, DescribeStackResourcesCommand } from '@aws-sdk/client-cloudformation';
import {
  DescribeAddressesCommand,
  DescribeAvailabilityZonesCommand,
  DescribeInstanceTypeOfferingsCommand,
  type DescribeInstanceTypeOfferingsCommandInput,
  DescribeManagedPrefixListsCommand,
  DescribeVpcsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { GetRoleCommand, IAMClient, ListOpenIDConnectProvidersCommand } from '@aws-sdk/client-iam';
import { DescribeOrderableDBInstanceOptionsCommand, RDSClient } from '@aws-sdk/client-rds';
import { DescribeSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import {
  GetAWSDefaultServiceQuotaCommand,
  GetServiceQuotaCommand,
  ServiceQuotasClient,
} from '@aws-sdk/client-service-quotas';
import { SNSClient } from '@aws-sdk/client-sns';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { loadConfig } from '../../config/environments.ts';
import type { EnvironmentConfig, NodeappConfig } from '../../config/types.ts';

export const ACCOUNTS = { shared: '999900001111', dev: '111100002222', staging: '222200003333', prod: '333300004444' };

export function testConfig(): NodeappConfig {
  return loadConfig({
    NODEAPP_ACCOUNT_SHARED: ACCOUNTS.shared,
    NODEAPP_ACCOUNT_DEV: ACCOUNTS.dev,
    NODEAPP_ACCOUNT_STAGING: ACCOUNTS.staging,
    NODEAPP_ACCOUNT_PROD: ACCOUNTS.prod,
    NODEAPP_ALARM_EMAILS_DEV: 'dev@team.test',
    NODEAPP_ALARM_EMAILS_STAGING: 'staging@team.test',
    NODEAPP_ALARM_EMAILS_PROD: 'prod@team.test',
  });
}

export function environment(config: NodeappConfig, name: string): EnvironmentConfig {
  const env = config.environments.find((e) => e.name === name);
  if (!env) throw new Error(`no environment ${name}`);
  return env;
}

export const mocks = {
  sts: mockClient(STSClient),
  ssm: mockClient(SSMClient),
  iam: mockClient(IAMClient),
  ec2: mockClient(EC2Client),
  rds: mockClient(RDSClient),
  cloudformation: mockClient(CloudFormationClient),
  acm: mockClient(ACMClient),
  secretsManager: mockClient(SecretsManagerClient),
  serviceQuotas: mockClient(ServiceQuotasClient),
  sns: mockClient(SNSClient),
};

/** us-east-1's zones as this fake account maps them (names and IDs differ per account). */
export const ZONES = [
  { ZoneName: 'us-east-1a', ZoneId: 'use1-az4' },
  { ZoneName: 'us-east-1b', ZoneId: 'use1-az6' },
  { ZoneName: 'us-east-1c', ZoneId: 'use1-az1' },
];

export function sdkError(name: string, message = name): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

/** Offerings of every requested type in every requested zone, except the `missing` `type@zone` pairs. */
export function offerings(missing: readonly string[] = []) {
  return (input: DescribeInstanceTypeOfferingsCommandInput) => {
    const types = input.Filters?.find((f) => f.Name === 'instance-type')?.Values ?? [];
    const zones = input.Filters?.find((f) => f.Name === 'location')?.Values ?? [];
    return {
      InstanceTypeOfferings: types.flatMap((t) =>
        zones
          .filter((z) => !missing.includes(`${t}@${z}`))
          .map((z) => ({ InstanceType: t as never, Location: z, LocationType: 'availability-zone' as const })),
      ),
    };
  };
}

/** Credentials in `account` (the environment's own by default), and every read answering as a ready account. */
export function mockHealthyAccount(account: string, arn = `arn:aws:iam::${account}:user/admin`): void {
  for (const mock of Object.values(mocks)) mock.reset();
  mocks.sts.on(GetCallerIdentityCommand).resolves({ Account: account, Arn: arn });
  mocks.ssm.on(GetParameterCommand).resolves({ Parameter: { Value: '30' } });
  mocks.iam.on(ListOpenIDConnectProvidersCommand).resolves({ OpenIDConnectProviderList: [] });
  // The CloudFormation execution role of a bootstrapped environment account carries the boundary.
  mocks.iam.on(GetRoleCommand).callsFake((input: { RoleName: string }) =>
    input.RoleName.startsWith('cdk-hnb659fds-cfn-exec-role-')
      ? {
          Role: {
            RoleName: input.RoleName,
            PermissionsBoundary: {
              PermissionsBoundaryType: 'Policy',
              PermissionsBoundaryArn: `arn:aws:iam::${account}:policy/cdk-hnb659fds-nodeapp-exec-boundary`,
            },
          },
        }
      : {},
  );
  mocks.ec2
    .on(DescribeAvailabilityZonesCommand)
    .resolves({ AvailabilityZones: ZONES.map((z) => ({ ...z, State: 'available' as const })) });
  mocks.ec2.on(DescribeInstanceTypeOfferingsCommand).callsFake(offerings());
  mocks.ec2.on(DescribeManagedPrefixListsCommand).resolves({ PrefixLists: [{ PrefixListId: 'pl-3b927c52' }] });
  mocks.rds.on(DescribeOrderableDBInstanceOptionsCommand).resolves({
    OrderableDBInstanceOptions: [
      { EngineVersion: '17.6', MultiAZCapable: true, AvailabilityZones: ZONES.map((z) => ({ Name: z.ZoneName })) },
      { EngineVersion: '18.1', MultiAZCapable: true, AvailabilityZones: ZONES.map((z) => ({ Name: z.ZoneName })) },
    ],
  });
  mocks.cloudformation.on(DescribeStackResourcesCommand).resolves({ StackResources: [] });
  mocks.ec2.on(DescribeVpcsCommand).resolves({ Vpcs: [{ VpcId: 'vpc-default' }] });
  mocks.ec2.on(DescribeAddressesCommand).resolves({ Addresses: [] });
  mocks.serviceQuotas.on(GetServiceQuotaCommand).rejects(sdkError('NoSuchResourceException'));
  // VPCs and Elastic IPs: AWS's default 5; Fargate vCPUs: room for every environment at its maximum scale.
  mocks.serviceQuotas
    .on(GetAWSDefaultServiceQuotaCommand)
    .callsFake((input: { ServiceCode: string }) => ({ Quota: { Value: input.ServiceCode === 'fargate' ? 100 : 5 } }));
  mocks.acm.on(DescribeCertificateCommand).resolves({
    Certificate: { DomainName: 'example.com', SubjectAlternativeNames: ['*.example.com'], Status: 'ISSUED' },
  });
  mocks.secretsManager.on(DescribeSecretCommand).resolves({ Name: 'nodeapp/site24x7-device-key' });
}
