// Zone names are per account: us-east-1a of one account may be another physical zone (zone ID) than us-east-1a of
// the next, and not every zone offers every instance type
// (https://docs.aws.amazon.com/global-infrastructure/latest/regions/az-ids.html). The config pins names, so the
// preflight shows which zone IDs they are in this account and checks that each zone offers what the stacks launch
// there: the EC2 types (NAT instance, ECS container instances) and the RDS instance class for the engine version.
import {
  DescribeAvailabilityZonesCommand, // https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeAvailabilityZones.html
  paginateDescribeInstanceTypeOfferings, // https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeInstanceTypeOfferings.html
} from '@aws-sdk/client-ec2';
// https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DescribeOrderableDBInstanceOptions.html
import { paginateDescribeOrderableDBInstanceOptions } from '@aws-sdk/client-rds';
import type { CheckContext } from '../context.ts';
import { ec2InstanceTypes, RDS_ENGINE, RDS_ENGINE_MAJOR, rdsInstanceClass } from '../requirements.ts';
import { type CheckResult, fail, pass, skip } from '../result.ts';

const CHOOSE = 'pick zones that offer it (infra/README.md "Availability zones") or another type';

/** Zone name → zone ID in the target account, for the configured zones that exist and are available. */
export async function zoneIds({ access }: CheckContext): Promise<Map<string, string>> {
  const out = await access.target.ec2.send(
    new DescribeAvailabilityZonesCommand({ Filters: [{ Name: 'zone-type', Values: ['availability-zone'] }] }),
  );
  const ids = new Map<string, string>();
  for (const zone of out.AvailabilityZones ?? []) {
    if (zone.ZoneName && zone.ZoneId && zone.State === 'available') ids.set(zone.ZoneName, zone.ZoneId);
  }
  return ids;
}

function named(zones: readonly string[], ids: ReadonlyMap<string, string>): string {
  return zones.map((z) => `${z} (${ids.get(z) ?? '?'})`).join(', ');
}

export function checkZones({ env }: CheckContext, ids: ReadonlyMap<string, string>): CheckResult {
  const check = 'zones';
  const zones = env.network.availabilityZones;
  const missing = zones.filter((z) => !ids.has(z));
  if (missing.length > 0) {
    return fail(
      check,
      `${missing.join(', ')} not available in ${env.account}/${env.region} (available: ${[...ids.keys()].join(', ')})`,
      `set network.availabilityZones of ${env.name} to available zones (infra/README.md "Availability zones")`,
    );
  }
  return pass(check, zones.map((z) => `${z} = ${ids.get(z)}`).join(', '));
}

export async function checkInstanceOfferings(
  ctx: CheckContext,
  ids: ReadonlyMap<string, string>,
): Promise<CheckResult> {
  const check = 'ec2-offerings';
  const types = ec2InstanceTypes(ctx.env);
  if (types.length === 0) return skip(check, `${ctx.env.name} launches no EC2 instances`);
  const zones = ctx.env.network.availabilityZones;
  const offered = new Set<string>();
  const pages = paginateDescribeInstanceTypeOfferings(
    { client: ctx.access.target.ec2 },
    {
      LocationType: 'availability-zone',
      Filters: [
        { Name: 'instance-type', Values: types },
        { Name: 'location', Values: [...zones] },
      ],
    },
  );
  for await (const page of pages) {
    for (const o of page.InstanceTypeOfferings ?? []) offered.add(`${o.InstanceType}@${o.Location}`);
  }
  const gaps = types.flatMap((t) => zones.filter((z) => !offered.has(`${t}@${z}`)).map((z) => ({ t, z })));
  if (gaps.length > 0) {
    const list = gaps.map(({ t, z }) => `${t} in ${named([z], ids)}`).join(', ');
    return fail(check, `not offered: ${list}`, CHOOSE);
  }
  return pass(check, `${types.join(', ')} offered in ${named(zones, ids)}`);
}

export async function checkRdsOrderable(ctx: CheckContext, ids: ReadonlyMap<string, string>): Promise<CheckResult> {
  const check = 'rds-orderable';
  const instanceClass = rdsInstanceClass(ctx.env);
  if (!instanceClass) return skip(check, `${ctx.env.name} has no RDS instance`);
  const zones = ctx.env.network.availabilityZones;
  // The template names the major version only ("18"); RDS picks its default minor, so any 18.x offering counts.
  const inZones = new Set<string>();
  let versions = 0;
  let multiAzCapable = false;
  const pages = paginateDescribeOrderableDBInstanceOptions(
    { client: ctx.access.target.rds },
    { Engine: RDS_ENGINE, DBInstanceClass: instanceClass, Vpc: true },
  );
  for await (const page of pages) {
    for (const option of page.OrderableDBInstanceOptions ?? []) {
      const major = option.EngineVersion?.split('.')[0];
      if (major !== RDS_ENGINE_MAJOR) continue;
      versions++;
      multiAzCapable ||= option.MultiAZCapable === true;
      for (const az of option.AvailabilityZones ?? []) if (az.Name) inZones.add(az.Name);
    }
  }
  const what = `${instanceClass} ${RDS_ENGINE} ${RDS_ENGINE_MAJOR}`;
  if (versions === 0) {
    return fail(
      check,
      `${what} is not orderable in ${ctx.env.region}`,
      `choose another rds.instanceType for ${ctx.env.name}`,
    );
  }
  if (ctx.env.rds.multiAz && !multiAzCapable) {
    return fail(
      check,
      `${what} is not Multi-AZ capable in ${ctx.env.region}`,
      `choose another rds.instanceType for ${ctx.env.name}`,
    );
  }
  const missing = zones.filter((z) => !inZones.has(z));
  if (missing.length > 0) return fail(check, `${what} not orderable in ${named(missing, ids)}`, CHOOSE);
  return pass(check, `${what}${ctx.env.rds.multiAz ? ' Multi-AZ' : ''} orderable in ${named(zones, ids)}`);
}
