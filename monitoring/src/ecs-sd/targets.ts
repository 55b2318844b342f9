// One discovery pass against the ECS API: the running tasks of one service, as Prometheus HTTP SD target groups
// (https://prometheus.io/docs/prometheus/latest/http_sd/). Replaces Cloud Map DNS, whose MULTIVALUE answers carry at
// most 8 records (https://docs.aws.amazon.com/cloud-map/latest/api/API_DnsConfig.html: "up to eight healthy
// records"), so with more tasks each refresh saw a random 8.
// API calls, all read-only: ListTasks (100 per page, paginated), DescribeTasks (at most 100 tasks per call),
// DescribeServices (the desired count, so that a service scaled to zero on purpose is not "down").
import {
  DescribeServicesCommand,
  DescribeTasksCommand,
  type ECSClient,
  ListTasksCommand,
  type Task,
} from '@aws-sdk/client-ecs';

export interface DiscoverySettings {
  readonly cluster: string;
  readonly serviceName: string;
  readonly containerName: string;
  readonly port: number;
}

/** One HTTP SD target group: one task, its metrics address and the labels every series of it carries. */
export interface TargetGroup {
  readonly targets: string[];
  readonly labels: Record<string, string>;
}

/** A task of the service that ECS stopped recently (ECS lists stopped tasks for about an hour). */
export interface StoppedTask {
  readonly taskArn: string;
  /** Why: EssentialContainerExited (the app exited: a crash), ServiceSchedulerInitiated (scale-in, deploy), … */
  readonly stopCode: string;
}

export interface Discovery {
  readonly groups: TargetGroup[];
  readonly stopped: StoppedTask[];
  /** The service's desired task count (0 when scaled to zero on purpose), or undefined if the service is missing. */
  readonly desiredCount: number | undefined;
  readonly runningCount: number | undefined;
}

/** DescribeTasks accepts at most 100 task ARNs per call. */
const DESCRIBE_BATCH = 100;

/** arn:aws:ecs:<region>:<account>:task/<cluster>/<task id> → <task id> */
export function taskId(taskArn: string): string {
  return taskArn.slice(taskArn.lastIndexOf('/') + 1);
}

/** arn:…:task-definition/<family>:<revision> → <revision> */
function revisionOf(taskDefinitionArn: string | undefined): string {
  return taskDefinitionArn?.slice(taskDefinitionArn.lastIndexOf(':') + 1) ?? '';
}

/** The task's private IPv4 address: its container's awsvpc interface, else the ENI attachment's detail. */
function privateIp(task: Task, containerName: string): string | undefined {
  const container = task.containers?.find((c) => c.name === containerName);
  const fromContainer = container?.networkInterfaces?.find((n) => n.privateIpv4Address)?.privateIpv4Address;
  if (fromContainer) return fromContainer;
  for (const attachment of task.attachments ?? []) {
    const detail = attachment.details?.find((d) => d.name === 'privateIPv4Address');
    if (detail?.value) return detail.value;
  }
  return undefined;
}

/** A task is scraped once ECS reports it RUNNING and it has an address; PENDING/ACTIVATING tasks come next pass. */
export function targetGroup(task: Task, settings: DiscoverySettings): TargetGroup | undefined {
  if (task.lastStatus !== 'RUNNING' || !task.taskArn) return undefined;
  const ip = privateIp(task, settings.containerName);
  if (!ip) return undefined;
  return {
    targets: [`${ip}:${settings.port}`],
    labels: {
      task: taskId(task.taskArn),
      // The task definition revision: a rolling deploy replaces every task with one of a new revision, while a
      // crash replaces a task with one of the same revision (NodeappFrequentRestarts tells them apart by it).
      task_revision: revisionOf(task.taskDefinitionArn),
      availability_zone: task.availabilityZone ?? '',
      capacity_provider: task.capacityProviderName ?? '',
    },
  };
}

async function describeTasks(
  client: ECSClient,
  settings: DiscoverySettings,
  desiredStatus: 'RUNNING' | 'STOPPED',
  abortSignal?: AbortSignal,
): Promise<Task[]> {
  const arns: string[] = [];
  // Paginated by hand: every call carries the pass's abort signal (the SDK paginator takes none).
  let nextToken: string | undefined;
  do {
    const page = await client.send(
      new ListTasksCommand({ cluster: settings.cluster, serviceName: settings.serviceName, desiredStatus, nextToken }),
      { abortSignal },
    );
    arns.push(...(page.taskArns ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  const tasks: Task[] = [];
  for (let i = 0; i < arns.length; i += DESCRIBE_BATCH) {
    const described = await client.send(
      new DescribeTasksCommand({ cluster: settings.cluster, tasks: arns.slice(i, i + DESCRIBE_BATCH) }),
      { abortSignal },
    );
    tasks.push(...(described.tasks ?? []));
  }
  return tasks;
}

/**
 * One pass. `abortSignal` bounds the whole pass (every call of it); each call's own timeout and retries are the
 * client's (main.ts).
 */
export async function discover(
  client: ECSClient,
  settings: DiscoverySettings,
  abortSignal?: AbortSignal,
): Promise<Discovery> {
  // desiredStatus RUNNING: a task ECS is stopping (scale-in, deploy) leaves the targets at once.
  const groups: TargetGroup[] = [];
  for (const task of await describeTasks(client, settings, 'RUNNING', abortSignal)) {
    const group = targetGroup(task, settings);
    if (group) groups.push(group);
  }
  // Stopped tasks and their stop code: a crash (EssentialContainerExited) and a scale-in look alike in the scraped
  // series (a task's series end), only ECS knows which it was.
  const stopped: StoppedTask[] = [];
  for (const task of await describeTasks(client, settings, 'STOPPED', abortSignal)) {
    if (task.taskArn) stopped.push({ taskArn: task.taskArn, stopCode: task.stopCode ?? 'unknown' });
  }
  groups.sort((a, b) => (a.labels.task ?? '').localeCompare(b.labels.task ?? ''));
  const { services } = await client.send(
    new DescribeServicesCommand({ cluster: settings.cluster, services: [settings.serviceName] }),
    { abortSignal },
  );
  const service = services?.find((s) => s.serviceName === settings.serviceName && s.status !== 'INACTIVE');
  return { groups, stopped, desiredCount: service?.desiredCount, runningCount: service?.runningCount };
}
