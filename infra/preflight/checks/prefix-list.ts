// The ALB admits only CloudFront's origin-facing addresses through the managed prefix list whose ID the config pins
// (edge.cloudFrontPrefixListId). The ID is per region; a wrong one either fails the security group or opens it to
// something else. https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/LocationsOfEdgeServers.html
// https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeManagedPrefixLists.html
import { DescribeManagedPrefixListsCommand } from '@aws-sdk/client-ec2';
import type { CheckContext } from '../context.ts';
import { type CheckResult, fail, pass } from '../result.ts';

export const CLOUDFRONT_PREFIX_LIST_NAME = 'com.amazonaws.global.cloudfront.origin-facing';

export async function checkCloudFrontPrefixList({ env, access }: CheckContext): Promise<CheckResult> {
  const check = 'cloudfront-prefix-list';
  const out = await access.target.ec2.send(
    new DescribeManagedPrefixListsCommand({
      Filters: [{ Name: 'prefix-list-name', Values: [CLOUDFRONT_PREFIX_LIST_NAME] }],
    }),
  );
  const found = out.PrefixLists?.[0]?.PrefixListId;
  const configured = env.edge.cloudFrontPrefixListId;
  if (!found) {
    return fail(
      check,
      `${CLOUDFRONT_PREFIX_LIST_NAME} not found in ${env.region}`,
      'choose a region CloudFront VPC origins support',
    );
  }
  if (found !== configured) {
    return fail(
      check,
      `${CLOUDFRONT_PREFIX_LIST_NAME} in ${env.region} is ${found}, config has ${configured}`,
      `set edge.cloudFrontPrefixListId to '${found}' for ${env.name} in infra/config/environments.ts`,
    );
  }
  return pass(check, `${CLOUDFRONT_PREFIX_LIST_NAME} = ${found}`);
}
