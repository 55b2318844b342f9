// An account holds at most one OIDC provider per URL: NodeappGithubDeploy creating
// token.actions.githubusercontent.com where one already exists fails with EntityAlreadyExists. The config says which
// case applies (shared.github.existingOidcProviderArn); this check reads the shared account and says whether it holds.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_ListOpenIDConnectProviders.html
// https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DescribeStackResources.html
import { DescribeStackResourcesCommand } from '@aws-sdk/client-cloudformation';
import { ListOpenIDConnectProvidersCommand } from '@aws-sdk/client-iam';
import type { CheckContext } from '../context.ts';
import { type CheckResult, fail, isAccessDenied, pass, skip } from '../result.ts';

export const GITHUB_OIDC_HOST = 'token.actions.githubusercontent.com';
/** The stack that creates the provider when the config names none (lib/stacks/github-deploy-stack.ts). */
export const GITHUB_DEPLOY_STACK = 'NodeappGithubDeploy';
const CONFIG_FIELD = 'shared.github.existingOidcProviderArn (infra/config/environments.ts)';

async function managedByGithubDeployStack(ctx: CheckContext, arn: string): Promise<boolean> {
  const shared = ctx.access.shared;
  if (!shared) return false;
  try {
    const out = await shared.cloudformation.send(new DescribeStackResourcesCommand({ StackName: GITHUB_DEPLOY_STACK }));
    return (out.StackResources ?? []).some((r) => r.PhysicalResourceId === arn);
  } catch (error) {
    // CloudFormation answers ValidationError "Stack with id … does not exist" for a stack never deployed.
    if (error instanceof Error && error.name === 'ValidationError') return false;
    throw error;
  }
}

export async function checkGithubOidcProvider(ctx: CheckContext): Promise<CheckResult> {
  const check = 'github-oidc';
  const { config, access } = ctx;
  if (!access.shared) {
    return skip(
      check,
      `credentials are not in the shared account ${config.shared.account}: run the preflight with shared-account credentials before npm run deploy-shared`,
    );
  }
  let arns: string[];
  try {
    const out = await access.shared.iam.send(new ListOpenIDConnectProvidersCommand({}));
    arns = (out.OpenIDConnectProviderList ?? []).map((p) => p.Arn ?? '');
  } catch (error) {
    // The pipeline's deploy roles may not read IAM; they were assumed through this very provider, so it exists and
    // NodeappGithubDeploy (deployed by an administrator, who runs this check with IAM read) was deployed with it.
    if (isAccessDenied(error) && /:assumed-role\/nodeapp-github-/.test(access.caller.arn)) {
      return pass(check, `${access.caller.arn} came through the GitHub OIDC provider (IAM not readable by this role)`);
    }
    throw error;
  }
  const found = arns.find((arn) => arn.endsWith(`:oidc-provider/${GITHUB_OIDC_HOST}`));
  const configured = config.shared.github.existingOidcProviderArn;
  if (configured) {
    if (found === configured) return pass(check, `uses the existing provider ${found}, as configured`);
    return fail(
      check,
      found
        ? `the account's provider is ${found}, config names ${configured}`
        : `config names ${configured}, which does not exist`,
      found
        ? `set ${CONFIG_FIELD} to '${found}'`
        : `remove ${CONFIG_FIELD} so that ${GITHUB_DEPLOY_STACK} creates the provider`,
    );
  }
  if (!found) return pass(check, `no ${GITHUB_OIDC_HOST} provider yet: ${GITHUB_DEPLOY_STACK} creates it`);
  if (await managedByGithubDeployStack(ctx, found)) return pass(check, `${found} is ${GITHUB_DEPLOY_STACK}'s own`);
  return fail(
    check,
    `${found} exists outside ${GITHUB_DEPLOY_STACK}: creating another fails with EntityAlreadyExists`,
    `set ${CONFIG_FIELD} to '${found}'`,
  );
}
