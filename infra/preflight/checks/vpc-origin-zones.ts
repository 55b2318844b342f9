// The CloudFront VPC origin places its network interfaces in the ALB's subnets, and some zones do not support VPC
// origins: in us-east-1 the zone use1-az3 (a zone ID: its name differs per account). CloudFront's guide lists them
// under "Supported AWS Regions for VPC origins":
// https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/private-content-vpc-origins.html
import type { CheckContext } from '../context.ts';
import { type CheckResult, fail, pass } from '../result.ts';

/** Zone IDs where CloudFront VPC origins are not supported, per region (the guide's list). */
export const VPC_ORIGIN_UNSUPPORTED_ZONE_IDS: Readonly<Record<string, readonly string[]>> = {
  'us-east-1': ['use1-az3'],
};

export function checkVpcOriginZones({ env }: CheckContext, ids: ReadonlyMap<string, string>): CheckResult {
  const check = 'vpc-origin-zones';
  const unsupported = VPC_ORIGIN_UNSUPPORTED_ZONE_IDS[env.region] ?? [];
  const bad = env.network.availabilityZones.filter((z) => unsupported.includes(ids.get(z) ?? ''));
  if (bad.length > 0) {
    return fail(
      check,
      `${bad.map((z) => `${z} (${ids.get(z)})`).join(', ')} cannot hold the CloudFront VPC origin`,
      `set network.availabilityZones of ${env.name} to zones whose ID is not ${unsupported.join(', ')} (infra/README.md "Availability zones")`,
    );
  }
  return pass(check, `no configured zone is one of ${unsupported.join(', ') || 'the unsupported zones'}`);
}
