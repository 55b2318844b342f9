// Accounts differ in what they already hold: the environment's VPC and its NAT gateways' Elastic IPs count against
// per-region quotas (defaults 5 VPCs, 5 EIPs) that a shared or older account may have used up, and CloudFormation
// then fails half-way (VpcLimitExceeded, AddressLimitExceeded).
// https://docs.aws.amazon.com/vpc/latest/userguide/amazon-vpc-limits.html
// https://docs.aws.amazon.com/servicequotas/2019-06-24/apireference/API_GetServiceQuota.html
// https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeVpcs.html
// https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeAddresses.html
import { DescribeAddressesCommand, paginateDescribeVpcs } from '@aws-sdk/client-ec2';
import { GetAWSDefaultServiceQuotaCommand, GetServiceQuotaCommand } from '@aws-sdk/client-service-quotas';
import type { CheckContext } from '../context.ts';
import { type CheckResult, fail, pass } from '../result.ts';

export const VPC_QUOTA = { ServiceCode: 'vpc', QuotaCode: 'L-F678F1CE' } as const; // VPCs per Region
export const EIP_QUOTA = { ServiceCode: 'ec2', QuotaCode: 'L-0263D0A3' } as const; // EC2-VPC Elastic IPs

/** Elastic IPs the network allocates: one per NAT gateway (the NAT instance uses a public IP given at launch). */
export function natGatewayEips(ctx: CheckContext): number {
  const { egress, availabilityZones } = ctx.env.network;
  if (egress === 'nat-per-az') return availabilityZones.length;
  return egress === 'single-nat' ? 1 : 0;
}

/** The account's applied quota, or AWS's default where none was ever requested. */
export async function quota(ctx: CheckContext, codes: { ServiceCode: string; QuotaCode: string }): Promise<number> {
  const client = ctx.access.target.serviceQuotas;
  try {
    const applied = (await client.send(new GetServiceQuotaCommand(codes))).Quota?.Value;
    if (typeof applied === 'number') return applied;
  } catch (error) {
    if (!(error instanceof Error && error.name === 'NoSuchResourceException')) throw error;
  }
  const value = (await client.send(new GetAWSDefaultServiceQuotaCommand(codes))).Quota?.Value;
  if (typeof value !== 'number') throw new Error(`no value for quota ${codes.ServiceCode}/${codes.QuotaCode}`);
  return value;
}

export async function checkQuotas(ctx: CheckContext): Promise<CheckResult> {
  const check = 'quotas';
  const { env, access } = ctx;
  // Resources of this environment's own stack do not need new room: a redeploy keeps them.
  const stack = `Nodeapp-${env.name}-Network`;
  const ours = (tags?: { Key?: string; Value?: string }[]) =>
    (tags ?? []).some((t) => t.Key === 'aws:cloudformation:stack-name' && t.Value === stack);

  let vpcs = 0;
  let haveVpc = false;
  for await (const page of paginateDescribeVpcs({ client: access.target.ec2 }, {})) {
    for (const vpc of page.Vpcs ?? []) {
      vpcs++;
      haveVpc ||= ours(vpc.Tags);
    }
  }
  const addresses = (await access.target.ec2.send(new DescribeAddressesCommand({}))).Addresses ?? [];
  const eipsNeeded = Math.max(0, natGatewayEips(ctx) - addresses.filter((a) => ours(a.Tags)).length);
  const vpcsNeeded = haveVpc ? 0 : 1;
  const [vpcQuota, eipQuota] = [await quota(ctx, VPC_QUOTA), await quota(ctx, EIP_QUOTA)];

  const short: string[] = [];
  if (vpcs + vpcsNeeded > vpcQuota) short.push(`VPCs: ${vpcs} used + ${vpcsNeeded} needed > quota ${vpcQuota}`);
  if (addresses.length + eipsNeeded > eipQuota) {
    short.push(`Elastic IPs: ${addresses.length} used + ${eipsNeeded} needed > quota ${eipQuota}`);
  }
  const where = `${env.account}/${env.region}`;
  if (short.length > 0) {
    return fail(
      check,
      `${where} ${short.join('; ')}`,
      'release unused ones or request a quota increase (Service Quotas)',
    );
  }
  return pass(
    check,
    `${where} VPCs ${vpcs} + ${vpcsNeeded} of ${vpcQuota}, Elastic IPs ${addresses.length} + ${eipsNeeded} of ${eipQuota}`,
  );
}
