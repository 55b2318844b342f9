// Secrets the config names but no stack creates: the Site24x7 device key (site24x7.keySecretName), read by the agent
// sidecar when enabled. ECS fails the task start (ResourceInitializationError) when the secret is missing.
// https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_DescribeSecret.html (metadata only, no value)
import { DescribeSecretCommand } from '@aws-sdk/client-secrets-manager';
import type { CheckContext } from '../context.ts';
import { type CheckResult, fail, pass, skip } from '../result.ts';

export async function checkExternalSecrets({ env, access }: CheckContext): Promise<CheckResult> {
  const check = 'secrets';
  if (!env.site24x7.enabled) return skip(check, `${env.name} reads no secret it does not create (Site24x7 off)`);
  const name = env.site24x7.keySecretName;
  try {
    await access.target.secretsManager.send(new DescribeSecretCommand({ SecretId: name }));
  } catch (error) {
    if (error instanceof Error && error.name === 'ResourceNotFoundException') {
      return fail(
        check,
        `Secrets Manager secret ${name} (Site24x7 device key) does not exist in ${env.account}/${env.region}`,
        `aws secretsmanager create-secret --name ${name} --secret-string <device key>`,
      );
    }
    throw error;
  }
  return pass(check, `${name} exists`);
}
