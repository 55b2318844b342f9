// An environment in an account of its own must be bootstrapped with the bounded CloudFormation execution role
// (lib/bootstrap/execution-boundary.ts): the boundary must really be on the role, or a deploy could rewrite the
// pipeline's trust. A one-account trial is bootstrapped as the shared account (no boundary, by design:
// config/account-model.ts). https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetRole.html
import { GetRoleCommand } from '@aws-sdk/client-iam';
import { boundaryPolicyName } from '../../lib/bootstrap/execution-boundary.ts';
import type { CheckContext } from '../context.ts';
import { type CheckResult, fail, pass, skip } from '../result.ts';

export function executionRoleName(qualifier: string, account: string, region: string): string {
  return `cdk-${qualifier}-cfn-exec-role-${account}-${region}`;
}

export async function checkExecutionBoundary({ config, env, access }: CheckContext): Promise<CheckResult> {
  const check = 'execution-boundary';
  if (env.account === config.shared.account) {
    return skip(check, `${env.name} shares the shared account (one-account trial): CDK's plain execution role`);
  }
  const qualifier = config.shared.cdkBootstrapQualifier;
  const roleName = executionRoleName(qualifier, env.account, env.region);
  const fix = `npm run bootstrap -w infra -- --env ${env.name} (with ${env.name}'s administrator credentials)`;
  let boundary: string | undefined;
  try {
    const out = await access.target.iam.send(new GetRoleCommand({ RoleName: roleName }));
    boundary = out.Role?.PermissionsBoundary?.PermissionsBoundaryArn;
  } catch (error) {
    if (error instanceof Error && error.name === 'NoSuchEntityException') {
      return fail(check, `${roleName} does not exist (not bootstrapped)`, fix);
    }
    throw error;
  }
  const wanted = boundaryPolicyName(qualifier);
  if (!boundary?.endsWith(`:policy/${wanted}`)) {
    return fail(
      check,
      `${roleName} has ${boundary ? `boundary ${boundary}` : 'no permissions boundary'}, not ${wanted}`,
      fix,
    );
  }
  return pass(check, `${roleName} is bounded by ${wanted}`);
}
