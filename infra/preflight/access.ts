// Who the preflight's credentials are, and clients that read the target environment's account.
// The pipeline's deploy role lives in the shared account; for reads in the environment's account the preflight
// assumes that account's CDK lookup role (CONTRACTS.md), which `cdk bootstrap --trust <shared>` lets the shared
// account assume and which carries ReadOnlyAccess. An administrator's credentials in the environment's account are
// used as they are.
import { ACMClient } from '@aws-sdk/client-acm';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { EC2Client } from '@aws-sdk/client-ec2';
import { IAMClient } from '@aws-sdk/client-iam';
import { RDSClient } from '@aws-sdk/client-rds';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ServiceQuotasClient } from '@aws-sdk/client-service-quotas';
import { SNSClient } from '@aws-sdk/client-sns';
import { SSMClient } from '@aws-sdk/client-ssm';
// https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html (needs no permission at all)
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
// https://docs.aws.amazon.com/AWSJavaScriptSDK/v3/latest/Package/-aws-sdk-credential-providers/#fromtemporarycredentials
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import { PLACEHOLDER_ACCOUNT } from '../config/environments.ts';
import type { EnvironmentConfig, NodeappConfig } from '../config/types.ts';
import { accountVariable } from '../lib/deploy-command.ts';
import { lookupRoleArn } from './requirements.ts';
import { type CheckResult, describeError, fail, pass } from './result.ts';

type Credentials = ReturnType<typeof fromTemporaryCredentials>;

/** Read-only clients for one account and region. */
export interface AccountClients {
  readonly ec2: EC2Client;
  readonly rds: RDSClient;
  readonly iam: IAMClient;
  readonly ssm: SSMClient;
  readonly cloudformation: CloudFormationClient;
  readonly secretsManager: SecretsManagerClient;
  readonly serviceQuotas: ServiceQuotasClient;
  readonly sns: SNSClient;
  /** In us-east-1 whatever the region: CloudFront reads its certificates only there. */
  readonly acmUsEast1: ACMClient;
}

export interface Access {
  /** The credentials' own identity (before any role is assumed). */
  readonly caller: { readonly account: string; readonly arn: string };
  /** Clients in the environment's account and region. */
  readonly target: AccountClients;
  /** Clients in the shared account, when the credentials are there; otherwise undefined. */
  readonly shared?: AccountClients;
}

export function accountClients(region: string, credentials?: Credentials): AccountClients {
  const config = { region, ...(credentials ? { credentials } : {}) };
  return {
    ec2: new EC2Client(config),
    rds: new RDSClient(config),
    iam: new IAMClient(config),
    ssm: new SSMClient(config),
    cloudformation: new CloudFormationClient(config),
    secretsManager: new SecretsManagerClient(config),
    serviceQuotas: new ServiceQuotasClient(config),
    sns: new SNSClient(config),
    acmUsEast1: new ACMClient({ ...config, region: 'us-east-1' }),
  };
}

async function identity(sts: STSClient): Promise<{ account: string; arn: string }> {
  const out = await sts.send(new GetCallerIdentityCommand({}));
  return { account: out.Account ?? '', arn: out.Arn ?? '' };
}

/**
 * The `account` check: the credentials reach the environment's account (directly, or from the shared account through
 * the lookup role). On success also returns the clients every other check uses.
 */
export async function resolveAccess(
  config: NodeappConfig,
  env: EnvironmentConfig,
): Promise<{ result: CheckResult; access?: Access }> {
  const check = 'account';
  const variable = accountVariable(env.name);
  if (env.account === PLACEHOLDER_ACCOUNT) {
    return { result: fail(check, `${variable} is not set`, `export ${variable}=<12-digit account of ${env.name}>`) };
  }
  let caller: { account: string; arn: string };
  try {
    caller = await identity(new STSClient({ region: env.region }));
  } catch (error) {
    return {
      result: fail(
        check,
        `cannot tell who the credentials are: sts:GetCallerIdentity failed (${describeError(error)})`,
        'sign in (aws sso login / aws configure) or run in the deploy job, with AWS reachable',
      ),
    };
  }
  if (caller.account === env.account) {
    return {
      result: pass(check, `credentials (${caller.arn}) are in ${env.name}'s account ${env.account}`),
      access: { caller, target: accountClients(env.region), ...sharedIfCaller(config, caller) },
    };
  }
  if (caller.account !== config.shared.account) {
    return {
      result: fail(
        check,
        `credentials are in account ${caller.account}, neither ${env.name}'s ${env.account} (${variable}) nor the shared ${config.shared.account}`,
        `use credentials for ${env.account}, or check ${variable}`,
      ),
    };
  }
  const roleArn = lookupRoleArn(config.shared.cdkBootstrapQualifier, env.account, env.region);
  const credentials = fromTemporaryCredentials({
    params: { RoleArn: roleArn, RoleSessionName: 'nodeapp-preflight', DurationSeconds: 900 },
    clientConfig: { region: env.region },
  });
  let target: { account: string; arn: string };
  try {
    target = await identity(new STSClient({ region: env.region, credentials }));
  } catch (error) {
    return {
      result: fail(
        check,
        `cannot assume ${roleArn} from ${caller.arn} (${describeError(error)})`,
        `bootstrap ${env.account}/${env.region} trusting the shared account for lookups (cdk bootstrap --trust-for-lookup ${config.shared.account}, docs/deploy.md) and let these credentials assume its lookup role`,
      ),
    };
  }
  if (target.account !== env.account) {
    return {
      result: fail(check, `${roleArn} answered as account ${target.account}`, `check ${variable}`),
    };
  }
  return {
    result: pass(
      check,
      `shared-account credentials (${caller.arn}) read ${env.name}'s ${env.account} through ${roleArn}`,
    ),
    access: { caller, target: accountClients(env.region, credentials), ...sharedIfCaller(config, caller) },
  };
}

function sharedIfCaller(config: NodeappConfig, caller: { account: string }): { shared?: AccountClients } {
  return caller.account === config.shared.account ? { shared: accountClients(config.shared.region) } : {};
}
