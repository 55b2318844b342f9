// The `monitoring` section of an environment's infra config (values in config/environments.ts): sizes,
// Prometheus retention and the alert e-mail sender. Validated before any construct is built, so a bad value
// fails synth naming the field.

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
  /** Alertmanager e-mail (critical alerts go to the environment's alarm e-mails through this SMTP server). */
  readonly alertEmail: {
    /** host:port of the SMTP server; Amazon SES SMTP of the region when absent. */
    readonly smtpSmarthost?: string;
    readonly from: string;
  };
}

// Fargate's CPU units and the memory (MiB) each allows.
const FARGATE_MEMORY: Record<number, (m: number) => boolean> = {
  256: (m) => [512, 1024, 2048].includes(m),
  512: (m) => m >= 1024 && m <= 4096 && m % 1024 === 0,
  1024: (m) => m >= 2048 && m <= 8192 && m % 1024 === 0,
  2048: (m) => m >= 4096 && m <= 16384 && m % 1024 === 0,
};

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
    const fits = FARGATE_MEMORY[size.cpu];
    check(fits !== undefined, `${name}.cpu`, `must be one of 256, 512, 1024, 2048 (got ${size.cpu})`);
    check(!fits || fits(size.memoryMiB), `${name}.memoryMiB`, `${size.memoryMiB} is not valid with cpu ${size.cpu}`);
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
  const host = config.alertEmail.smtpSmarthost;
  check(
    host === undefined || /^[a-z0-9.-]+:\d{2,5}$/.test(host),
    'alertEmail.smtpSmarthost',
    `must be host:port (got ${host})`,
  );
  check(
    /^[^@\s|&\\]+@[^@\s|&\\]+\.[a-z]{2,}$/i.test(config.alertEmail.from),
    'alertEmail.from',
    'must be an e-mail address',
  );
  return problems;
}
