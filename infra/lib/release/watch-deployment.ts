// The deploy job's rollout watcher: while `cdk deploy` updates the service, follow the ECS service deployment it
// starts (ListServiceDeployments / DescribeServiceDeployments, https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ServiceDeployment.html)
// and the service's events (DescribeServices), print each change of lifecycle stage, traffic weights, hook and alarm
// state, and end with ECS's own verdict: success, or the rollback and its reason (alarm, hook, circuit breaker).
import {
  DescribeServiceDeploymentsCommand,
  DescribeServicesCommand,
  type ECSClient,
  ListServiceDeploymentsCommand,
  type ServiceDeployment,
} from '@aws-sdk/client-ecs';

export interface WatchOptions {
  readonly cluster: string;
  readonly service: string;
  /** Only deployments created at or after this instant (the deploy job's start). */
  readonly since: Date;
  /** False once the deploy command has exited: with no deployment by then, this deploy did not touch the service. */
  readonly deployRunning: () => boolean;
  readonly log?: (line: string) => void;
  readonly pollMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
}

export type WatchResult =
  | { readonly outcome: 'succeeded'; readonly deploymentArn: string }
  | { readonly outcome: 'rolled-back' | 'failed'; readonly deploymentArn: string; readonly reason: string }
  | { readonly outcome: 'no-deployment' };

const TERMINAL = new Set(['SUCCESSFUL', 'STOPPED', 'ROLLBACK_SUCCESSFUL', 'ROLLBACK_FAILED']);

/** One line describing where a deployment is (only the parts ECS reports). */
export function describeProgress(d: ServiceDeployment): string {
  const parts = [`${d.status ?? 'UNKNOWN'}`];
  if (d.lifecycleStage) parts.push(`stage ${d.lifecycleStage}`);
  const target = d.targetServiceRevision;
  if (target) {
    const tasks = `${target.runningTaskCount ?? 0}/${target.requestedTaskCount ?? 0} tasks`;
    const weights = [
      target.requestedProductionTrafficWeight !== undefined
        ? `production ${target.requestedProductionTrafficWeight} %`
        : '',
      target.requestedTestTrafficWeight !== undefined ? `test ${target.requestedTestTrafficWeight} %` : '',
    ].filter(Boolean);
    parts.push(`new release ${tasks}${weights.length ? `, ${weights.join(', ')}` : ''}`);
  }
  for (const hook of d.lifecycleHookDetails ?? []) parts.push(`hook ${hook.status ?? '?'}`);
  if (d.alarms?.triggeredAlarmNames?.length) parts.push(`alarms in ALARM: ${d.alarms.triggeredAlarmNames.join(', ')}`);
  if (d.deploymentCircuitBreaker?.status === 'TRIGGERED') {
    parts.push(
      `circuit breaker ${d.deploymentCircuitBreaker.failureCount}/${d.deploymentCircuitBreaker.threshold} failed tasks`,
    );
  }
  return parts.join(' · ');
}

/** ECS's reason for a deployment that did not succeed, with what triggered it. */
export function failureReason(d: ServiceDeployment): string {
  const causes = [d.statusReason, d.rollback?.reason].filter((x): x is string => Boolean(x));
  if (d.alarms?.status === 'TRIGGERED' && d.alarms.triggeredAlarmNames?.length) {
    causes.push(`alarms: ${d.alarms.triggeredAlarmNames.join(', ')}`);
  }
  const failedHooks = (d.lifecycleHookDetails ?? []).filter((h) => h.status === 'FAILED' || h.status === 'TIMED_OUT');
  for (const h of failedHooks) causes.push(`lifecycle hook ${h.targetArn ?? h.hookId ?? ''} ${h.status}`.trim());
  if (d.deploymentCircuitBreaker?.status === 'TRIGGERED') {
    const cb = d.deploymentCircuitBreaker;
    causes.push(`circuit breaker: ${cb.failureCount ?? '?'} of ${cb.threshold ?? '?'} tasks failed to start`);
  }
  return [...new Set(causes)].join('; ') || 'ECS gave no reason';
}

export async function watchDeployment(ecs: ECSClient, o: WatchOptions): Promise<WatchResult> {
  const log = o.log ?? ((line: string) => console.log(line));
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const pollMs = o.pollMs ?? 10_000;
  let arn: string | undefined;
  let lastLine = '';
  let lastEvent = o.since.getTime();
  for (;;) {
    // Keep the deploy's evidence in the log: the service's own event messages, oldest first.
    const { services } = await ecs.send(new DescribeServicesCommand({ cluster: o.cluster, services: [o.service] }));
    const events = (services?.[0]?.events ?? [])
      .filter((e) => (e.createdAt?.getTime() ?? 0) > lastEvent)
      .sort((a, b) => (a.createdAt?.getTime() ?? 0) - (b.createdAt?.getTime() ?? 0));
    for (const e of events) log(`event: ${e.message}`);
    lastEvent = Math.max(lastEvent, ...events.map((e) => e.createdAt?.getTime() ?? 0));

    if (!arn) {
      const running = o.deployRunning();
      const listed = await ecs.send(
        new ListServiceDeploymentsCommand({
          cluster: o.cluster,
          service: o.service,
          createdAt: { after: o.since },
        }),
      );
      const newest = [...(listed.serviceDeployments ?? [])].sort(
        (a, b) => (b.createdAt?.getTime() ?? 0) - (a.createdAt?.getTime() ?? 0),
      )[0];
      arn = newest?.serviceDeploymentArn;
      if (arn) log(`following ${arn}`);
      else if (!running) return { outcome: 'no-deployment' };
    }
    if (arn) {
      const { serviceDeployments } = await ecs.send(
        new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [arn] }),
      );
      const d = serviceDeployments?.[0];
      if (d) {
        const line = describeProgress(d);
        if (line !== lastLine) log(line);
        lastLine = line;
        if (d.status && TERMINAL.has(d.status)) {
          if (d.status === 'SUCCESSFUL') return { outcome: 'succeeded', deploymentArn: arn };
          const outcome = d.status === 'ROLLBACK_SUCCESSFUL' ? 'rolled-back' : 'failed';
          return { outcome, deploymentArn: arn, reason: failureReason(d) };
        }
      }
    }
    await sleep(pollMs);
  }
}
