// One fake AWS account for the `up`/`down` tests: a JSON state file that the SDK mocks (in this process) read and the
// recording stand-ins on PATH (standin.cjs, other processes) read and change. Every SDK command the commands send
// is recorded, so a test can assert that a dry run sent no write.
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DescribeStackResourcesCommand, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import {
  DeleteRepositoryCommand,
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  ECRClient,
  GetAuthorizationTokenCommand,
  ListImagesCommand,
} from '@aws-sdk/client-ecr';
import { DescribeTaskDefinitionCommand, ECSClient } from '@aws-sdk/client-ecs';
import { ListSubscriptionsByTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { IMAGE_NAMES, IMAGES } from '../../config/images.ts';
import { mockHealthyAccount, mocks, sdkError } from '../preflight/fixtures.ts';

export const ACCOUNT = '123412341234';
const STANDIN = fileURLToPath(new URL('./standin.cjs', import.meta.url));
/** Programs found on PATH by name: the stand-ins. */
const TOOLS = ['cdk', 'docker', 'bash', 'skopeo', 'buildah', 'jq', 'curl', 'git'];

export interface FakeState {
  account: string;
  repositories: Record<string, string>;
  bootstrapped: Record<string, string>;
  stacks: Record<
    string,
    { status: string; outputs: Record<string, string>; resources: { type: string; id: string }[] }
  >;
  images: Record<string, Record<string, string>>;
  taskDefinitions: Record<string, string[]>;
  pending: string[];
  calls: string[];
  failOn?: string;
}

const ecr = mockClient(ECRClient);
const ecs = mockClient(ECSClient);
const sns = mockClient(SNSClient);
const allMocks = { ...mocks, ecr, ecs, sns };

export class FakeAccount {
  readonly dir = mkdtempSync(join(tmpdir(), 'nodeapp-up-test-'));
  readonly file = join(this.dir, 'state.json');
  readonly bin = join(this.dir, 'bin');
  /** Every SDK command sent, by name (e.g. DescribeStacksCommand). */
  readonly sdkCalls: string[] = [];

  constructor() {
    const initial: FakeState = {
      account: ACCOUNT,
      repositories: Object.fromEntries(IMAGE_NAMES.map((n) => [n, IMAGES[n].repositoryName])),
      bootstrapped: {},
      stacks: {},
      images: {},
      taskDefinitions: {},
      pending: ['ops@team.test'],
      calls: [],
    };
    this.write(initial);
    mkdirSync(this.bin);
    for (const tool of TOOLS) {
      const path = join(this.bin, tool);
      writeFileSync(path, `#!/bin/sh\nexec "${process.execPath}" "${STANDIN}" ${tool} "$@"\n`);
      chmodSync(path, 0o755);
    }
    this.mock();
  }

  read(): FakeState {
    return JSON.parse(readFileSync(this.file, 'utf8')) as FakeState;
  }

  write(state: FakeState): void {
    writeFileSync(this.file, JSON.stringify(state, null, 2));
  }

  update(change: (state: FakeState) => void): void {
    const state = this.read();
    change(state);
    this.write(state);
  }

  /** Calls to the stand-ins (cdk …, docker …, bash scripts/…), in order. */
  calls(): string[] {
    return this.read().calls;
  }

  /** The environment the commands run with: the stand-ins first on PATH, the settings of a one-account trial. */
  processEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    return {
      PATH: `${this.bin}:${process.env.PATH}`,
      FAKE_AWS_STATE: this.file,
      NODEAPP_ACCOUNT_SHARED: ACCOUNT,
      NODEAPP_ACCOUNT_DEV: ACCOUNT,
      NODEAPP_ALARM_EMAILS_DEV: 'ops@team.test',
      ...extra,
    };
  }

  private failIf(command: string): void {
    const state = this.read();
    if (state.failOn && `sdk ${command}`.includes(state.failOn)) {
      state.failOn = undefined;
      this.write(state);
      throw sdkError('ThrottlingException', `injected failure of ${command}`);
    }
  }

  private mock(): void {
    mockHealthyAccount(ACCOUNT);
    for (const m of [ecr, ecs, sns]) m.reset();
    const record = <I, T>(name: string, answer: (input: I) => T) => {
      return (input: I) => {
        this.sdkCalls.push(name);
        this.failIf(name);
        return answer(input);
      };
    };
    mocks.ssm.on(GetParameterCommand).callsFake(
      record('GetParameterCommand', () => {
        const version = this.read().bootstrapped[ACCOUNT];
        if (!version) throw sdkError('ParameterNotFound');
        return { Parameter: { Value: version } };
      }),
    );
    mocks.cloudformation.on(DescribeStacksCommand).callsFake(
      record('DescribeStacksCommand', (input: { StackName: string }) => {
        const stack = this.read().stacks[input.StackName];
        if (!stack) throw sdkError('ValidationError', `Stack with id ${input.StackName} does not exist`);
        return {
          Stacks: [
            {
              StackName: input.StackName,
              StackStatus: stack.status,
              Outputs: Object.entries(stack.outputs).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })),
            },
          ],
        };
      }),
    );
    mocks.cloudformation.on(DescribeStackResourcesCommand).callsFake(
      record('DescribeStackResourcesCommand', (input: { StackName: string }) => {
        const stack = this.read().stacks[input.StackName];
        if (!stack) throw sdkError('ValidationError', `Stack with id ${input.StackName} does not exist`);
        return {
          StackResources: stack.resources.map((r) => ({ ResourceType: r.type, PhysicalResourceId: r.id })),
        };
      }),
    );
    ecr.on(ListImagesCommand).callsFake(
      record('ListImagesCommand', (input: { repositoryName: string }) => ({
        imageIds: Object.keys(this.read().images[input.repositoryName] ?? {}).map((imageTag) => ({ imageTag })),
      })),
    );
    ecr.on(DescribeImagesCommand).callsFake(
      record('DescribeImagesCommand', (input: { repositoryName: string; imageIds: { imageTag: string }[] }) => ({
        imageDetails: [{ imageDigest: this.read().images[input.repositoryName]?.[input.imageIds[0]?.imageTag ?? ''] }],
      })),
    );
    ecr.on(DescribeRepositoriesCommand).callsFake(
      record('DescribeRepositoriesCommand', (input: { repositoryNames: string[] }) => {
        if (!this.read().images[input.repositoryNames[0] ?? '']) throw sdkError('RepositoryNotFoundException');
        return { repositories: [{ repositoryName: input.repositoryNames[0] }] };
      }),
    );
    ecr.on(DeleteRepositoryCommand).callsFake(
      record('DeleteRepositoryCommand', (input: { repositoryName: string }) => {
        this.update((s) => {
          delete s.images[input.repositoryName];
        });
        return {};
      }),
    );
    ecr.on(GetAuthorizationTokenCommand).callsFake(
      record('GetAuthorizationTokenCommand', () => ({
        authorizationData: [
          {
            authorizationToken: Buffer.from('AWS:secret-token').toString('base64'),
            proxyEndpoint: `https://${ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com`,
          },
        ],
      })),
    );
    ecs.on(DescribeTaskDefinitionCommand).callsFake(
      record('DescribeTaskDefinitionCommand', (input: { taskDefinition: string }) => ({
        taskDefinition: {
          containerDefinitions: (this.read().taskDefinitions[input.taskDefinition] ?? []).map((image) => ({ image })),
        },
      })),
    );
    sns.on(ListSubscriptionsByTopicCommand).callsFake(
      record('ListSubscriptionsByTopicCommand', () => ({
        Subscriptions: this.read().pending.map((Endpoint) => ({ Endpoint, SubscriptionArn: 'PendingConfirmation' })),
      })),
    );
  }
}

/** Every SDK command any mocked client received (reads and writes), by name. */
export function sentCommands(): string[] {
  return Object.values(allMocks).flatMap((m) => m.calls().map((c) => c.args[0].constructor.name));
}
