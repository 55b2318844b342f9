// The `monitoring` section of an environment's infra config (values in config/environments.ts): sizes,
// Prometheus retention, the runbook link and the optional AMP remote_write. Validated before any construct is built, so a bad value
// fails synth naming the field.
import { fargateSizeProblems } from '../config/fargate.ts';

export interface MonitoringConfig {
  /** The Prometheus + Alertmanager task (both containers share it). */
  readonly prometheus: {
    readonly cpu: number;
    readonly memoryMiB: number;
    /** Fargate ephemeral storage (GiB, 21-200), encrypted with the cluster's storage key; holds the TSDB. */
    readonly ephemeralStorageGiB: number;
    /** `--storage.tsdb.retention.time` in days. */
    readonly retentionDays: number;
    /** `--storage.tsdb.retention.size` in GiB; must leave room on the ephemeral storage for images and WAL. */
    readonly retentionSizeGiB: number;
  };
  readonly grafana: {
    readonly cpu: number;
    readonly memoryMiB: number;
  };
  /**
   * Run Prometheus/Alertmanager and Grafana on FARGATE_SPOT (about 70 % cheaper, docs/finops.md). An interruption
   * restarts them, losing Prometheus's TSDB like any task replacement: for dev, not where alerts must not pause.
   */
  readonly spot?: boolean;
  /**
   * Absolute URL of docs/runbook.md that alert notifications link to (anchor appended per alert). Default: the file on
   * the main branch of the GitHub repository the shared config names (NODEAPP_GITHUB_REPOSITORY).
   */
  readonly runbookUrl?: string;
  /**
   * Optional remote_write to Amazon Managed Service for Prometheus: the workspace ARN (arn:aws:aps:<region>:<account>:
   * workspace/ws-…). The task role gets aps:RemoteWrite on it; Prometheus signs with SigV4 (docs/monitoring.md).
   */
  readonly remoteWrite?: { readonly workspaceArn: string };
}

/** Problems of one environment's monitoring config, each naming its field (`<path>.prometheus.cpu: ...`). */
export function monitoringConfigProblems(config: MonitoringConfig, path: string): string[] {
  const problems: string[] = [];
  const check = (ok: boolean, field: string, message: string) => {
    if (!ok) problems.push(`${path}.${field}: ${message}`);
  };
  for (const [name, size] of [
    ['prometheus', config.prometheus],
    ['grafana', config.grafana],
  ] as const) {
    problems.push(...fargateSizeProblems(size.cpu, size.memoryMiB, `${path}.${name}`));
  }
  const p = config.prometheus;
  const int = (value: number, min: number, max: number) => Number.isInteger(value) && value >= min && value <= max;
  check(
    int(p.ephemeralStorageGiB, 21, 200),
    'prometheus.ephemeralStorageGiB',
    `must be 21-200 (got ${p.ephemeralStorageGiB})`,
  );
  check(int(p.retentionDays, 1, 365), 'prometheus.retentionDays', `must be 1-365 (got ${p.retentionDays})`);
  check(
    int(p.retentionSizeGiB, 1, p.ephemeralStorageGiB - 8),
    'prometheus.retentionSizeGiB',
    `must be 1 to ephemeralStorageGiB - 8 = ${p.ephemeralStorageGiB - 8} (images and the WAL need the rest; got ${p.retentionSizeGiB})`,
  );
  check(
    config.runbookUrl === undefined || /^https:\/\/[^\s|&\\']+$/.test(config.runbookUrl),
    'runbookUrl',
    `must be an https URL without spaces, |, & or \\ (got ${config.runbookUrl})`,
  );
  check(
    config.remoteWrite === undefined || AMP_WORKSPACE_ARN.test(config.remoteWrite.workspaceArn),
    'remoteWrite.workspaceArn',
    `must be arn:aws:aps:<region>:<account>:workspace/ws-<id> (got ${config.remoteWrite?.workspaceArn})`,
  );
  return problems;
}

export const AMP_WORKSPACE_ARN = /^arn:aws[a-z-]*:aps:([a-z0-9-]+):(\d{12}):workspace\/(ws-[a-zA-Z0-9-]+)$/;

/** The remote_write endpoint of an AMP workspace (https://docs.aws.amazon.com/prometheus/latest/userguide/AMP-onboard-ingest-metrics-remote-write.html). */
export function ampRemoteWriteUrl(workspaceArn: string): string {
  const [, region, , workspaceId] = AMP_WORKSPACE_ARN.exec(workspaceArn) ?? [];
  if (!region || !workspaceId) throw new Error(`not an AMP workspace ARN: ${workspaceArn}`);
  return `https://aps-workspaces.${region}.amazonaws.com/workspaces/${workspaceId}/api/v1/remote_write`;
}
