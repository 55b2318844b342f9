// Values that follow from the region, not from a team's choice. Every environment is in us-east-1 (validate.ts:
// CloudFront-scoped WAF web ACLs exist only there), so each table has that region; another region is an error
// naming the table to extend.

/**
 * ID of the AWS-managed prefix list `com.amazonaws.global.cloudfront.origin-facing` per region: the same ID in every
 * account of a region (AWS publishes one list per region; the table is in
 * https://aws.amazon.com/blogs/networking-and-content-delivery/limit-access-to-your-origins-using-the-aws-managed-prefix-list-for-amazon-cloudfront/).
 * The preflight (preflight/checks/prefix-list.ts) reads the account's own list and fails on a difference.
 */
export const CLOUDFRONT_ORIGIN_FACING_PREFIX_LISTS: Readonly<Record<string, string>> = {
  'us-east-1': 'pl-3b927c52',
};

export function cloudFrontOriginFacingPrefixList(region: string): string {
  const id = CLOUDFRONT_ORIGIN_FACING_PREFIX_LISTS[region];
  if (!id) {
    throw new Error(
      `no CloudFront origin-facing prefix list known for ${region}: add it to CLOUDFRONT_ORIGIN_FACING_PREFIX_LISTS (infra/config/region.ts)`,
    );
  }
  return id;
}
