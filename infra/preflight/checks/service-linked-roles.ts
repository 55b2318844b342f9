// https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetRole.html
import { GetRoleCommand } from '@aws-sdk/client-iam';
import type { CheckContext } from '../context.ts';
import { serviceLinkedRoles } from '../requirements.ts';
import { type CheckResult, fail, pass } from '../result.ts';

export async function checkServiceLinkedRoles(ctx: CheckContext): Promise<CheckResult> {
  const check = 'service-linked-roles';
  const roles = serviceLinkedRoles(ctx.env);
  const missing: typeof roles = [];
  for (const role of roles) {
    try {
      await ctx.access.target.iam.send(new GetRoleCommand({ RoleName: role.roleName }));
    } catch (error) {
      if (!(error instanceof Error && error.name === 'NoSuchEntityException')) throw error;
      missing.push(role);
    }
  }
  if (missing.length > 0) {
    return fail(
      check,
      `missing in ${ctx.env.account}: ${missing.map((r) => `${r.roleName} (${r.usedBy})`).join(', ')}`,
      missing.map((r) => `aws iam create-service-linked-role --aws-service-name ${r.serviceName}`).join('; '),
    );
  }
  return pass(check, roles.map((r) => r.roleName).join(', '));
}
