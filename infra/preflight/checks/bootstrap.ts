// The environment's account and region are bootstrapped with the qualifier the config names, at a version this
// aws-cdk-lib can deploy with. The CDK CLI reads the same parameter before a deploy and stops with "SSM parameter
// /cdk-bootstrap/<qualifier>/version not found" (https://docs.aws.amazon.com/cdk/v2/guide/bootstrapping-env.html).
// https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_GetParameter.html
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import type { CheckContext } from '../context.ts';
import { bootstrapRequirement } from '../requirements.ts';
import { type CheckResult, fail, pass } from '../result.ts';

export async function checkBootstrap({ config, env, access }: CheckContext): Promise<CheckResult> {
  const check = 'bootstrap';
  const qualifier = config.shared.cdkBootstrapQualifier;
  const { parameterName, minimumVersion } = bootstrapRequirement(qualifier, env.region);
  const howTo = `bootstrap aws://${env.account}/${env.region} with --qualifier ${qualifier} (docs/deploy.md, bootstrap step)`;
  let value: string | undefined;
  try {
    value = (await access.target.ssm.send(new GetParameterCommand({ Name: parameterName }))).Parameter?.Value;
  } catch (error) {
    if (error instanceof Error && error.name === 'ParameterNotFound') {
      return fail(check, `${parameterName} not found: ${env.account}/${env.region} is not bootstrapped`, howTo);
    }
    throw error;
  }
  const version = Number(value);
  if (!Number.isInteger(version) || version < minimumVersion) {
    return fail(
      check,
      `${parameterName} is ${value}; this aws-cdk-lib needs at least ${minimumVersion}`,
      `re-run the ${howTo}`,
    );
  }
  return pass(check, `${parameterName} = ${version} (needs >= ${minimumVersion})`);
}
