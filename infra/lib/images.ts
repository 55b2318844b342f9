// How stacks reference the images of config/images.ts: by digest from CDK context, pulled from the shared account's
// ECR repositories. Nothing here builds an image: `cdk deploy` must never run `docker build` (the deploying runner's
// architecture differs from the tasks', and a deploy would publish an image nobody scanned).
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import type { Construct, Node } from 'constructs';
import {
  DIGEST_PATTERN,
  digestContextKey,
  IMAGE_NAMES,
  IMAGES,
  type ImageName,
  PLACEHOLDER_DIGEST,
} from '../config/images.ts';

export type ImageDigests = Readonly<Record<ImageName, string>>;

/** A malformed `-c <name>ImageDigest=` value (bin/nodeapp.ts prints the message and exits 1). */
export class ImageDigestError extends Error {
  constructor(problems: readonly string[]) {
    super(problems.join('\n'));
    this.name = 'ImageDigestError';
  }
}

/** Each image's digest from `-c <name>ImageDigest=sha256:…`; the placeholder where none is given (offline synth). */
export function imageDigestsFromContext(node: Node): ImageDigests {
  const problems: string[] = [];
  const digests = {} as Record<ImageName, string>;
  for (const name of IMAGE_NAMES) {
    const key = digestContextKey(name);
    const value = String(node.tryGetContext(key) ?? PLACEHOLDER_DIGEST);
    if (!DIGEST_PATTERN.test(value))
      problems.push(`-c ${key}=${value}: not an image digest (sha256:<64 lowercase hex>)`);
    digests[name] = value;
  }
  if (problems.length > 0) throw new ImageDigestError(problems);
  return digests;
}

/**
 * `<shared account>.dkr.ecr.<region>.amazonaws.com/<repository>@<digest>`. ECS grants the task's execution role
 * pull rights on that repository; the repository policy (NodeappRegistry) lets the environment's account pull.
 */
export function pinnedImage(
  scope: Construct,
  id: string,
  shared: { readonly account: string; readonly region: string },
  name: ImageName,
  digest: string,
): ecs.ContainerImage {
  const { repositoryName } = IMAGES[name];
  const repository = ecr.Repository.fromRepositoryAttributes(scope, id, {
    repositoryName,
    repositoryArn: `arn:aws:ecr:${shared.region}:${shared.account}:repository/${repositoryName}`,
  });
  return ecs.ContainerImage.fromEcrRepository(repository, digest);
}
