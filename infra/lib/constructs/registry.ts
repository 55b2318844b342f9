import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

export interface RegistryProps {
  readonly repositoryName: string;
  /** Tagged images kept (rollback depth). */
  readonly keepTaggedImages: number;
  readonly untaggedImageExpiryDays: number;
  /** Other accounts whose ECS tasks pull from this repository. */
  readonly pullAccounts: readonly string[];
}

/** The ECR repository: immutable tags, scan on push, KMS encryption, lifecycle rules. */
export class Registry extends Construct {
  readonly repository: ecr.Repository;

  constructor(scope: Construct, id: string, props: RegistryProps) {
    super(scope, id);
    this.repository = new ecr.Repository(this, 'Repository', {
      repositoryName: props.repositoryName,
      // A tag (the git SHA) always names the same image, so a rollback redeploys exactly what ran before.
      imageTagMutability: ecr.TagMutability.IMMUTABLE,
      imageScanOnPush: true,
      // The AWS managed `aws/ecr` KMS key: KMS at rest without cross-account key policy work for pulls.
      encryption: ecr.RepositoryEncryption.KMS,
      // Images outlive a stack deletion: other environments may still run them.
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [
        {
          rulePriority: 1,
          description: 'Expire untagged images (superseded layers of failed pushes)',
          tagStatus: ecr.TagStatus.UNTAGGED,
          maxImageAge: Duration.days(props.untaggedImageExpiryDays),
        },
        {
          rulePriority: 2,
          description: `Keep the newest ${props.keepTaggedImages} images for rollbacks`,
          tagStatus: ecr.TagStatus.ANY,
          maxImageCount: props.keepTaggedImages,
        },
      ],
    });
    for (const account of new Set(props.pullAccounts)) {
      this.repository.grantPull(new iam.AccountPrincipal(account));
    }
  }
}
