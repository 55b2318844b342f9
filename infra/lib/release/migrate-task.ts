// The deploy job's migration step: run the NEW release's migrate command (the service contract's `database.migrate`)
// as a one-off ECS task before the service update, and wait for its exit code. The task is a revision of the app
// task definition family with only the app image changed: the same roles, secrets, environment and log group, on
// the service's own subnets and security groups (RunTask: https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RunTask.html).
// Expand/contract keeps the running release working on the migrated schema (app/migrations/README.md).
import {
  DeregisterTaskDefinitionCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  type ECSClient,
  RegisterTaskDefinitionCommand,
  type RegisterTaskDefinitionCommandInput,
  RunTaskCommand,
  type TaskDefinition,
} from '@aws-sdk/client-ecs';

export interface MigrateTaskOptions {
  readonly cluster: string;
  readonly service: string;
  /** The app container's name in the task definition. */
  readonly container: string;
  /** The release's image, `<registry>/<repository>@sha256:…`. */
  readonly image: string;
  /** The contract's migrate command (`database.migrate`, e.g. app/service.json's). */
  readonly command: readonly string[];
  readonly log?: (line: string) => void;
  /** Poll interval and bound while the task runs. @default 6 s, 15 minutes */
  readonly pollMs?: number;
  readonly timeoutMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
}

export type MigrateResult =
  | { readonly outcome: 'migrated'; readonly taskArn: string }
  /** No service yet (the environment's first deploy): nothing to copy; the first tasks migrate on start. */
  | { readonly outcome: 'no-service' };

export class MigrateTaskError extends Error {
  override name = 'MigrateTaskError';
}

/** The fields of a described task definition that RegisterTaskDefinition takes back (the rest are read-only). */
const REGISTERABLE = [
  'family',
  'taskRoleArn',
  'executionRoleArn',
  'networkMode',
  'containerDefinitions',
  'volumes',
  'placementConstraints',
  'requiresCompatibilities',
  'cpu',
  'memory',
  'pidMode',
  'ipcMode',
  'proxyConfiguration',
  'inferenceAccelerators',
  'ephemeralStorage',
  'runtimePlatform',
  'enableFaultInjection',
] as const satisfies readonly (keyof TaskDefinition & keyof RegisterTaskDefinitionCommandInput)[];

/** The service's task definition with the app container's image replaced: what the migrate task runs. */
export function releaseTaskDefinition(
  current: TaskDefinition,
  container: string,
  image: string,
): RegisterTaskDefinitionCommandInput {
  const input: Record<string, unknown> = {};
  for (const key of REGISTERABLE) if (current[key] !== undefined) input[key] = current[key];
  const containers = current.containerDefinitions ?? [];
  if (!containers.some((c) => c.name === container)) {
    throw new MigrateTaskError(`task definition ${current.taskDefinitionArn} has no container "${container}"`);
  }
  input.containerDefinitions = containers.map((c) => (c.name === container ? { ...c, image } : c));
  return input as unknown as RegisterTaskDefinitionCommandInput;
}

export async function runMigrateTask(ecs: ECSClient, o: MigrateTaskOptions): Promise<MigrateResult> {
  const log = o.log ?? ((line: string) => console.log(line));
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const { services } = await ecs.send(new DescribeServicesCommand({ cluster: o.cluster, services: [o.service] }));
  const service = services?.find((s) => s.status === 'ACTIVE');
  if (!service?.taskDefinition) {
    log(`migrate: no active service ${o.service} in ${o.cluster} yet (first deploy): its first tasks migrate on start`);
    return { outcome: 'no-service' };
  }
  const { taskDefinition: current } = await ecs.send(
    new DescribeTaskDefinitionCommand({ taskDefinition: service.taskDefinition }),
  );
  if (!current) throw new MigrateTaskError(`cannot describe ${service.taskDefinition}`);
  const registered = await ecs.send(
    new RegisterTaskDefinitionCommand(releaseTaskDefinition(current, o.container, o.image)),
  );
  const revision = registered.taskDefinition?.taskDefinitionArn;
  if (!revision) throw new MigrateTaskError('RegisterTaskDefinition returned no task definition');
  log(`migrate: ${revision} (${o.image}) runs ${JSON.stringify(o.command)}`);
  try {
    const run = await ecs.send(
      new RunTaskCommand({
        cluster: o.cluster,
        taskDefinition: revision,
        count: 1,
        startedBy: 'nodeapp-migrate',
        // The service's subnets and security groups (the database admits the tasks' group), its capacity.
        networkConfiguration: service.networkConfiguration,
        ...(service.capacityProviderStrategy?.length
          ? { capacityProviderStrategy: service.capacityProviderStrategy }
          : { launchType: service.launchType }),
        overrides: { containerOverrides: [{ name: o.container, command: [...o.command] }] },
      }),
    );
    const taskArn = run.tasks?.[0]?.taskArn;
    if (!taskArn) {
      const why = (run.failures ?? []).map((f) => `${f.arn ?? ''} ${f.reason ?? ''} ${f.detail ?? ''}`.trim());
      throw new MigrateTaskError(`RunTask started no task: ${why.join('; ') || 'no reason given'}`);
    }
    log(`migrate: task ${taskArn} started`);
    const deadline = Date.now() + (o.timeoutMs ?? 15 * 60_000);
    let last = '';
    for (;;) {
      const { tasks } = await ecs.send(new DescribeTasksCommand({ cluster: o.cluster, tasks: [taskArn] }));
      const task = tasks?.[0];
      const status = task?.lastStatus ?? 'UNKNOWN';
      if (status !== last) log(`migrate: task ${status}`);
      last = status;
      if (status === 'STOPPED') {
        const app = task?.containers?.find((c) => c.name === o.container);
        if (app?.exitCode === 0) return { outcome: 'migrated', taskArn };
        const exit = app?.exitCode === undefined ? 'no exit code' : `exit code ${app.exitCode}`;
        const reason = [task?.stoppedReason, app?.reason].filter(Boolean).join('; ');
        throw new MigrateTaskError(
          `the migrate task failed (${exit}${reason ? `: ${reason}` : ''}); the service was not updated`,
        );
      }
      if (Date.now() > deadline) throw new MigrateTaskError(`the migrate task ${taskArn} did not stop in time`);
      await sleep(o.pollMs ?? 6000);
    }
  } finally {
    // The revision only ran the migration; the deploy registers its own (CloudFormation).
    await ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: revision })).catch(() => undefined);
  }
}
