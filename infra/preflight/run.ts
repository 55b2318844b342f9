// Runs every check for one environment, in order, and turns each into one line. A check that throws (no permission,
// throttling, a region without the service) becomes a failure line naming the error, never a stack trace.
import type { EnvironmentConfig, NodeappConfig } from '../config/types.ts';
import { resolveAccess } from './access.ts';
import { checkAlarmSubscriptions } from './checks/alarm-subscriptions.ts';
import { checkBootstrap } from './checks/bootstrap.ts';
import { checkCertificate } from './checks/certificate.ts';
import { checkExecutionBoundary } from './checks/execution-boundary.ts';
import { checkFargateQuotas } from './checks/fargate-quotas.ts';
import { checkGithubOidcProvider } from './checks/oidc.ts';
import { checkCloudFrontPrefixList } from './checks/prefix-list.ts';
import { checkQuotas } from './checks/quotas.ts';
import { checkExternalSecrets } from './checks/secrets.ts';
import { checkServiceLinkedRoles } from './checks/service-linked-roles.ts';
import { checkVpcOriginZones } from './checks/vpc-origin-zones.ts';
import { checkInstanceOfferings, checkRdsOrderable, checkZones, zoneIds } from './checks/zones.ts';
import type { CheckContext } from './context.ts';
import { type CheckResult, describeError, fail } from './result.ts';

const READ_FIX = 'these credentials need read access there (the CDK lookup role has ReadOnlyAccess)';

async function guarded(check: string, run: () => Promise<CheckResult> | CheckResult): Promise<CheckResult> {
  try {
    return await run();
  } catch (error) {
    return fail(check, `could not read: ${describeError(error)}`, READ_FIX);
  }
}

export async function runPreflight(config: NodeappConfig, env: EnvironmentConfig): Promise<CheckResult[]> {
  const { result, access } = await resolveAccess(config, env);
  if (!access) return [result];
  const ctx: CheckContext = { config, env, access };
  const results: CheckResult[] = [result];
  results.push(await guarded('bootstrap', () => checkBootstrap(ctx)));
  results.push(await guarded('execution-boundary', () => checkExecutionBoundary(ctx)));
  results.push(await guarded('github-oidc', () => checkGithubOidcProvider(ctx)));
  let ids: Map<string, string> | undefined;
  results.push(
    await guarded('zones', async () => {
      ids = await zoneIds(ctx);
      return checkZones(ctx, ids);
    }),
  );
  const zoneMap = ids ?? new Map<string, string>();
  results.push(await guarded('vpc-origin-zones', () => checkVpcOriginZones(ctx, zoneMap)));
  results.push(await guarded('ec2-offerings', () => checkInstanceOfferings(ctx, zoneMap)));
  results.push(await guarded('rds-orderable', () => checkRdsOrderable(ctx, zoneMap)));
  results.push(await guarded('cloudfront-prefix-list', () => checkCloudFrontPrefixList(ctx)));
  results.push(await guarded('service-linked-roles', () => checkServiceLinkedRoles(ctx)));
  results.push(await guarded('quotas', () => checkQuotas(ctx)));
  results.push(await guarded('fargate-quotas', () => checkFargateQuotas(ctx)));
  results.push(await guarded('certificate', () => checkCertificate(ctx)));
  results.push(await guarded('secrets', () => checkExternalSecrets(ctx)));
  results.push(await guarded('alarm-subscriptions', () => checkAlarmSubscriptions(ctx)));
  return results;
}
