import { RemovalPolicy } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

export interface RegistryProps {
  /** One ECR repository per name (config/images.ts IMAGES); the first is the app's. */
  readonly repositoryNames: readonly string[];
  /** Releases (tagged manifest lists) kept per repository: the rollback depth. */
  readonly keepReleases: number;
  /** Other accounts whose ECS tasks pull from these repositories. */
  readonly pullAccounts: readonly string[];
}

/**
 * The lifecycle policy of every repository: keep the newest `keepReleases` tagged images, and nothing else.
 *
 * The pipeline pushes each release as a manifest list tagged `:<git sha>` whose per-architecture images are
 * untagged. ECR lifecycle rules see each manifest on its own: an "expire untagged after N days" rule deletes the
 * per-architecture images that a live tagged list still points at (pulls then fail with `manifest unknown` on
 * scale-out, Spot replacement or rollback), and a `tagStatus: any` count counts manifests, not releases
 * (https://github.com/aws/containers-roadmap/issues/1466: lifecycle rules do not follow a manifest list to its
 * images; rule syntax: https://docs.aws.amazon.com/AmazonECR/latest/userguide/lifecycle_policy_examples.html).
 * So only tagged images are counted (one tagged list per release) and no rule selects untagged images: the
 * children of expired releases stay (their layers are mostly shared with newer releases), see infra/README.md.
 */
export function releaseLifecycleRules(keepReleases: number): ecr.LifecycleRule[] {
  return [
    {
      rulePriority: 1,
      description: `Keep the newest ${keepReleases} releases (tagged manifest lists) for rollbacks`,
      tagStatus: ecr.TagStatus.TAGGED,
      tagPatternList: ['*'],
      maxImageCount: keepReleases,
    },
  ];
}

/** The ECR repositories: immutable tags, scan on push, KMS encryption, release-keeping lifecycle rules. */
export class Registry extends Construct {
  readonly repositories: ReadonlyMap<string, ecr.Repository>;

  constructor(scope: Construct, id: string, props: RegistryProps) {
    super(scope, id);
    const repositories = new Map<string, ecr.Repository>();
    for (const repositoryName of props.repositoryNames) {
      // The app's repository keeps the construct id it had when it was the only one (same logical ID).
      const id = repositoryName === props.repositoryNames[0] ? 'Repository' : repositoryName;
      const repository = new ecr.Repository(this, id, {
        repositoryName,
        // A tag (the git SHA) always names the same image, so a rollback redeploys exactly what ran before.
        imageTagMutability: ecr.TagMutability.IMMUTABLE,
        imageScanOnPush: true,
        // The AWS managed `aws/ecr` KMS key: KMS at rest without cross-account key policy work for pulls.
        encryption: ecr.RepositoryEncryption.KMS,
        // Images outlive a stack deletion: other environments may still run them.
        removalPolicy: RemovalPolicy.RETAIN,
        lifecycleRules: releaseLifecycleRules(props.keepReleases),
      });
      for (const account of new Set(props.pullAccounts)) repository.grantPull(new iam.AccountPrincipal(account));
      repositories.set(repositoryName, repository);
    }
    this.repositories = repositories;
  }
}
