// What `npm run up` / `npm run down` read from AWS (and the few writes `down --all` makes), through the AWS SDK.
// The state each step's "done?" question reads lives here, in AWS itself: a stack's status, a bootstrap version, an
// image tag, the digests a task definition runs. Tests replace every client with aws-sdk-client-mock.
import {
  CloudFormationClient,
  DescribeStackResourcesCommand, // https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DescribeStackResources.html
  DescribeStacksCommand, // https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DescribeStacks.html
} from '@aws-sdk/client-cloudformation';
import {
  DeleteRepositoryCommand, // https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_DeleteRepository.html
  DescribeImagesCommand, // https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_DescribeImages.html
  DescribeRepositoriesCommand, // https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_DescribeRepositories.html
  ECRClient,
  GetAuthorizationTokenCommand, // https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_GetAuthorizationToken.html
  paginateListImages, // https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_ListImages.html
} from '@aws-sdk/client-ecr';
// https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DescribeTaskDefinition.html
import { DescribeTaskDefinitionCommand, ECSClient } from '@aws-sdk/client-ecs';
// https://docs.aws.amazon.com/sns/latest/api/API_ListSubscriptionsByTopic.html
import { paginateListSubscriptionsByTopic, SNSClient } from '@aws-sdk/client-sns';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { fromIni } from '@aws-sdk/credential-providers';

export interface StackState {
  readonly status: string;
  readonly outputs: Readonly<Record<string, string>>;
}

/** One account's reads and writes, with the credentials given (a named profile, or the default chain). */
export class Cloud {
  readonly region: string;
  private readonly config: { region: string; credentials?: ReturnType<typeof fromIni> };

  constructor(region: string, profile?: string) {
    this.region = region;
    this.config = { region, ...(profile ? { credentials: fromIni({ profile }) } : {}) };
  }

  async callerAccount(): Promise<string> {
    const out = await new STSClient(this.config).send(new GetCallerIdentityCommand({}));
    return out.Account ?? '';
  }

  /** The stack's status and outputs, or undefined when it does not exist. */
  async stack(name: string): Promise<StackState | undefined> {
    try {
      const out = await new CloudFormationClient(this.config).send(new DescribeStacksCommand({ StackName: name }));
      const stack = out.Stacks?.[0];
      if (!stack || stack.StackStatus === 'DELETE_COMPLETE') return undefined;
      const outputs = Object.fromEntries((stack.Outputs ?? []).map((o) => [o.OutputKey ?? '', o.OutputValue ?? '']));
      return { status: stack.StackStatus ?? 'UNKNOWN', outputs };
    } catch (error) {
      // CloudFormation answers a missing stack with ValidationError "Stack with id X does not exist".
      if (error instanceof Error && /does not exist/.test(error.message)) return undefined;
      throw error;
    }
  }

  /** Physical IDs of the stack's resources of one type (e.g. AWS::ECS::TaskDefinition). */
  async stackResources(stack: string, type: string): Promise<string[]> {
    const out = await new CloudFormationClient(this.config).send(
      new DescribeStackResourcesCommand({ StackName: stack }),
    );
    return (out.StackResources ?? [])
      .filter((r) => r.ResourceType === type && r.PhysicalResourceId)
      .map((r) => r.PhysicalResourceId ?? '');
  }

  /** The value of an SSM parameter, or undefined when it does not exist. */
  async parameter(name: string): Promise<string | undefined> {
    try {
      return (await new SSMClient(this.config).send(new GetParameterCommand({ Name: name }))).Parameter?.Value;
    } catch (error) {
      if (error instanceof Error && error.name === 'ParameterNotFound') return undefined;
      throw error;
    }
  }

  /** Every tag in an ECR repository (empty when the repository does not exist). */
  async imageTags(repository: string): Promise<string[]> {
    const tags: string[] = [];
    try {
      const pages = paginateListImages(
        { client: new ECRClient(this.config) },
        { repositoryName: repository, filter: { tagStatus: 'TAGGED' } },
      );
      for await (const page of pages) for (const id of page.imageIds ?? []) if (id.imageTag) tags.push(id.imageTag);
    } catch (error) {
      if (error instanceof Error && error.name === 'RepositoryNotFoundException') return [];
      throw error;
    }
    return tags;
  }

  /** The digest `repository:tag` names (for a manifest list, the list's own digest, as the pipeline deploys). */
  async imageDigest(repository: string, tag: string): Promise<string | undefined> {
    const out = await new ECRClient(this.config).send(
      new DescribeImagesCommand({ repositoryName: repository, imageIds: [{ imageTag: tag }] }),
    );
    return out.imageDetails?.[0]?.imageDigest;
  }

  /** `docker login` credentials for the account's registry (valid 12 hours). */
  async registryLogin(): Promise<{ registry: string; username: string; password: string }> {
    const out = await new ECRClient(this.config).send(new GetAuthorizationTokenCommand({}));
    const data = out.authorizationData?.[0];
    const [username = '', password = ''] = Buffer.from(data?.authorizationToken ?? '', 'base64')
      .toString('utf8')
      .split(':');
    return { registry: (data?.proxyEndpoint ?? '').replace(/^https:\/\//, ''), username, password };
  }

  async repositoryExists(repository: string): Promise<boolean> {
    try {
      await new ECRClient(this.config).send(new DescribeRepositoriesCommand({ repositoryNames: [repository] }));
      return true;
    } catch (error) {
      if (error instanceof Error && error.name === 'RepositoryNotFoundException') return false;
      throw error;
    }
  }

  /** Deletes a repository and its images (`down --all`: repositories are retained by their stack). */
  async deleteRepository(repository: string): Promise<boolean> {
    try {
      await new ECRClient(this.config).send(new DeleteRepositoryCommand({ repositoryName: repository, force: true }));
      return true;
    } catch (error) {
      if (error instanceof Error && error.name === 'RepositoryNotFoundException') return false;
      throw error;
    }
  }

  /** The image references (`…@sha256:…`) a task definition runs. */
  async taskDefinitionImages(arn: string): Promise<string[]> {
    const out = await new ECSClient(this.config).send(new DescribeTaskDefinitionCommand({ taskDefinition: arn }));
    return (out.taskDefinition?.containerDefinitions ?? []).map((c) => c.image ?? '');
  }

  /** E-mail (and other) endpoints of the topic whose subscription is still PendingConfirmation. */
  async pendingSubscriptions(topicArn: string): Promise<string[]> {
    const pending: string[] = [];
    const pages = paginateListSubscriptionsByTopic({ client: new SNSClient(this.config) }, { TopicArn: topicArn });
    for await (const page of pages) {
      for (const s of page.Subscriptions ?? []) {
        // SNS reports an unconfirmed subscription's ARN as the literal "PendingConfirmation".
        if (s.SubscriptionArn === 'PendingConfirmation') pending.push(s.Endpoint ?? '?');
      }
    }
    return pending;
  }
}

/** Stack statuses after which a stack is usable (a finished create or update, or a rolled-back update). */
export function isSettled(status: string): boolean {
  return /^(CREATE_COMPLETE|UPDATE_COMPLETE|UPDATE_ROLLBACK_COMPLETE|IMPORT_COMPLETE)$/.test(status);
}
