// What each ECS service runs: task size and architecture (from its task definition), how many tasks over the
// month (desired count, autoscaling minimum, scheduled scale-to-zero) and on which capacity (FARGATE, FARGATE_SPOT, EC2).
import { type ScheduledCapacity, weeklyTaskCounts } from '../schedule.ts';
import { type Found, type Inventory, list, num, obj, str } from '../template.ts';

export type Capacity = 'FARGATE' | 'FARGATE_SPOT' | 'EC2';

export interface ServiceProfile {
  service: Found;
  taskDefinition: Found | undefined;
  cluster: Found | undefined;
  vcpu: number;
  memoryGb: number;
  arch: 'x86_64' | 'arm64';
  ephemeralGb: number;
  /** Average running tasks over the month per capacity. */
  tasks: Record<Capacity, number>;
  totalTasks: number;
  publicIp: boolean;
  registries: number;
  /** Log groups the containers write to (awslogs-group). */
  logGroups: Found[];
  scheduled: boolean;
  /**
   * Minutes per deploy during which a second full set of tasks runs: ECS canary, linear and blue/green start the new
   * release at full size beside the old one until the bake time ends; 0 for rolling updates.
   */
  deployOverlapMinutes: number;
}

/** Scale-up, test traffic and hook before the first shift: a few minutes this estimate assumes. */
const DEPLOY_START_MINUTES = 5;

/** The second release's minutes per deploy, from the service's DeploymentConfiguration. */
export function deployOverlapMinutes(deploymentConfiguration: unknown): number {
  const c = obj(deploymentConfiguration);
  const strategy = str(c.Strategy) ?? 'ROLLING';
  if (!['BLUE_GREEN', 'CANARY', 'LINEAR'].includes(strategy)) return 0;
  const canary = obj(c.CanaryConfiguration);
  const linear = obj(c.LinearConfiguration);
  const linearSteps = strategy === 'LINEAR' ? Math.ceil(100 / (num(linear.StepPercent) ?? 10)) - 1 : 0;
  return (
    DEPLOY_START_MINUTES +
    (strategy === 'CANARY' ? (num(canary.CanaryBakeTimeInMinutes) ?? 10) : 0) +
    linearSteps * (num(linear.StepBakeTimeInMinutes) ?? 6) +
    (num(c.BakeTimeInMinutes) ?? 0)
  );
}

interface StrategyItem {
  capacity: Capacity;
  base: number;
  weight: number;
}

function strategyOf(items: unknown): StrategyItem[] {
  return list(items).map((raw) => {
    const item = obj(raw);
    const provider = item.CapacityProvider;
    // A provider that is not FARGATE/FARGATE_SPOT is an EC2 Auto Scaling group capacity provider.
    const capacity: Capacity = provider === 'FARGATE' || provider === 'FARGATE_SPOT' ? provider : 'EC2';
    return { capacity, base: num(item.Base) ?? 0, weight: num(item.Weight) ?? 0 };
  });
}

/** ECS places the bases first, then the remaining tasks in proportion to the weights. */
export function splitTasks(count: number, strategy: StrategyItem[]): Record<Capacity, number> {
  const out: Record<Capacity, number> = { FARGATE: 0, FARGATE_SPOT: 0, EC2: 0 };
  let left = count;
  for (const item of strategy) {
    const placed = Math.min(item.base, left);
    out[item.capacity] += placed;
    left -= placed;
  }
  const weights = strategy.reduce((sum, item) => sum + item.weight, 0);
  if (left > 0) {
    if (weights === 0) out[strategy[0]?.capacity ?? 'FARGATE'] += left;
    else for (const item of strategy) out[item.capacity] += (left * item.weight) / weights;
  }
  return out;
}

function sameResource(a: Found | undefined, b: Found | undefined): boolean {
  return a !== undefined && b !== undefined && a.stack === b.stack && a.id === b.id;
}

function capacityStrategy(inv: Inventory, service: Found, cluster: Found | undefined): StrategyItem[] {
  const own = strategyOf(service.props.CapacityProviderStrategy);
  if (own.length > 0) return own;
  const launchType = str(service.props.LaunchType);
  if (launchType === 'EC2') return [{ capacity: 'EC2', base: 0, weight: 1 }];
  if (launchType === 'FARGATE') return [{ capacity: 'FARGATE', base: 0, weight: 1 }];
  const association = inv
    .ofType('AWS::ECS::ClusterCapacityProviderAssociations')
    .find((a) => sameResource(inv.resolve(a.stack, a.props.Cluster), cluster));
  const fallback = association ? strategyOf(association.props.DefaultCapacityProviderStrategy) : [];
  return fallback.length > 0 ? fallback : [{ capacity: 'FARGATE', base: 0, weight: 1 }];
}

function scalingOf(
  inv: Inventory,
  service: Found,
): { min: number; max: number; actions: ScheduledCapacity[] } | undefined {
  const target = inv
    .ofType('AWS::ApplicationAutoScaling::ScalableTarget')
    .find(
      (t) =>
        t.props.ScalableDimension === 'ecs:service:DesiredCount' &&
        inv.referencedIn(t.stack, t.props.ResourceId).some((r) => sameResource(r, service)),
    );
  if (!target) return undefined;
  const actions = list(target.props.ScheduledActions).map((raw) => {
    const a = obj(raw);
    const action = obj(a.ScalableTargetAction);
    return {
      schedule: str(a.Schedule) ?? '',
      timezone: str(a.Timezone),
      min: num(action.MinCapacity),
      max: num(action.MaxCapacity),
    };
  });
  return { min: num(target.props.MinCapacity) ?? 0, max: num(target.props.MaxCapacity) ?? 0, actions };
}

export function serviceProfiles(inv: Inventory): ServiceProfile[] {
  return inv.ofType('AWS::ECS::Service').map((service) => {
    const taskDefinition = inv.resolve(service.stack, service.props.TaskDefinition);
    const td = taskDefinition?.props ?? {};
    // CDK passes a cluster with an explicit name to other stacks as the literal name, not as an import.
    const cluster =
      inv.resolve(service.stack, service.props.Cluster) ??
      inv.ofType('AWS::ECS::Cluster').find((c) => c.props.ClusterName === service.props.Cluster);
    const arch = str(obj(td.RuntimePlatform).CpuArchitecture) === 'ARM64' ? 'arm64' : 'x86_64';
    const scaling = scalingOf(inv, service);
    // Without autoscaling ECS keeps DesiredCount (CloudFormation's default is 1); with it, low load sits at MinCapacity.
    const base = scaling ?? { min: num(service.props.DesiredCount) ?? 1, max: Number.POSITIVE_INFINITY, actions: [] };
    const strategy = capacityStrategy(inv, service, cluster);
    const tasks: Record<Capacity, number> = { FARGATE: 0, FARGATE_SPOT: 0, EC2: 0 };
    for (const { tasks: count, share } of weeklyTaskCounts({ min: base.min, max: base.max }, base.actions)) {
      const split = splitTasks(count, strategy);
      for (const c of Object.keys(tasks) as Capacity[]) tasks[c] += split[c] * share;
    }
    const logGroups = list(td.ContainerDefinitions)
      .map((c) => obj(obj(obj(c).LogConfiguration).Options)['awslogs-group'])
      .map((g) => (taskDefinition ? inv.resolve(taskDefinition.stack, g) : undefined))
      .filter((g): g is Found => g !== undefined);
    return {
      service,
      taskDefinition,
      cluster,
      vcpu: (num(td.Cpu) ?? 256) / 1024,
      memoryGb: (num(td.Memory) ?? 512) / 1024,
      arch,
      ephemeralGb: num(obj(td.EphemeralStorage).SizeInGiB) ?? 20,
      tasks,
      totalTasks: tasks.FARGATE + tasks.FARGATE_SPOT + tasks.EC2,
      publicIp: obj(obj(service.props.NetworkConfiguration).AwsvpcConfiguration).AssignPublicIp === 'ENABLED',
      registries: list(service.props.ServiceRegistries).length,
      logGroups: [...new Map(logGroups.map((g) => [`${g.stack.name}/${g.id}`, g])).values()],
      scheduled: base.actions.length > 0,
      deployOverlapMinutes: deployOverlapMinutes(service.props.DeploymentConfiguration),
    };
  });
}
