// Cost levers: each one is a config change, synthesized and estimated like the real thing, so the dollar effect
// quoted in docs/finops.md is computed by the tool from templates, never guessed.
import type { EnvironmentConfig, NodeappConfig } from '@nodeapp/infra/config/types';

export interface LeverOption {
  lever: string;
  option: string;
  apply(env: EnvironmentConfig): EnvironmentConfig;
}

const WEEKDAYS = { timeZone: 'UTC', stopCron: 'cron(0 20 ? * MON-FRI *)', startCron: 'cron(0 7 ? * MON-FRI *)' };

function service(env: EnvironmentConfig, patch: Partial<EnvironmentConfig['service']>): EnvironmentConfig {
  return { ...env, service: { ...env.service, ...patch } };
}

// One step down the RDS classes the price table knows.
const SMALLER_RDS: Record<string, string> = {
  'm7g.large': 't4g.large',
  't4g.large': 't4g.medium',
  't4g.medium': 't4g.small',
  't4g.small': 't4g.micro',
};

// Same size, other architecture: Graviton families end in g (t4g, m7g), their x86 twins do not (t3, m7i).
const ARCH_TWINS: [string, string][] = [
  ['t4g', 't3'],
  ['m7g', 'm7i'],
  ['c7g', 'c7i'],
  ['r7g', 'r7i'],
  ['m6g', 'm6i'],
];

export function sameSizeOtherArch(instanceType: string): string {
  const [family = '', size = ''] = instanceType.split('.');
  const twin = ARCH_TWINS.find(([arm, x86]) => arm === family || x86 === family);
  if (!twin) throw new Error(`no architecture twin known for ${instanceType}`);
  return `${twin[0] === family ? twin[1] : twin[0]}.${size}`;
}

/** The options that differ from `env`'s current settings, lever by lever. */
export function leverOptions(env: EnvironmentConfig): LeverOption[] {
  const s = env.service;
  const out: LeverOption[] = [];
  const spot = (base: number, onDemand: number, spotWeight: number) => (e: EnvironmentConfig) =>
    service(e, { fargateBase: base, fargateWeight: onDemand, fargateSpotWeight: spotWeight });
  if (s.fargateSpotWeight > 0) out.push({ lever: 'Spot share', option: 'no Spot (all FARGATE)', apply: spot(0, 1, 0) });
  if (s.fargateBase > 0 || s.fargateWeight > 0) {
    out.push({ lever: 'Spot share', option: 'all FARGATE_SPOT', apply: spot(0, 0, 1) });
  }
  out.push(
    s.scaleToZero
      ? { lever: 'Scale-to-zero schedule', option: 'run 24/7', apply: (e) => service(e, { scaleToZero: undefined }) }
      : {
          lever: 'Scale-to-zero schedule',
          option: 'weekdays 07:00-20:00 UTC only',
          apply: (e) => service(e, { scaleToZero: WEEKDAYS, minCount: Math.max(1, e.service.minCount) }),
        },
  );
  for (const egress of ['nat-per-az', 'single-nat', 'nat-instance'] as const) {
    if (egress !== env.network.egress) {
      out.push({
        lever: 'Egress strategy',
        option: egress,
        apply: (e) => ({ ...e, network: { ...e.network, egress } }),
      });
    }
  }
  const otherArch = s.cpuArchitecture === 'ARM64' ? 'X86_64' : 'ARM64';
  out.push({
    lever: 'CPU architecture',
    option: otherArch,
    // The EC2 capacity option must match the task architecture (validated), so it follows.
    apply: (e) => ({
      ...service(e, { cpuArchitecture: otherArch }),
      ec2: { ...e.ec2, instanceType: sameSizeOtherArch(e.ec2.instanceType) },
    }),
  });
  for (const days of [7, 30, 365]) {
    if (days !== s.logRetentionDays || days !== env.network.flowLogRetentionDays) {
      out.push({
        lever: 'Log retention (service + flow logs)',
        option: `${days} days`,
        apply: (e) => ({
          ...service(e, { logRetentionDays: days }),
          network: { ...e.network, flowLogRetentionDays: days },
        }),
      });
    }
  }
  for (const mode of ['disabled', 'enabled', 'enhanced'] as const) {
    if (mode !== s.containerInsights) {
      out.push({ lever: 'Container Insights', option: mode, apply: (e) => service(e, { containerInsights: mode }) });
    }
  }
  out.push({
    lever: 'Spot share',
    option: `monitoring on ${env.monitoring.spot ? 'FARGATE' : 'FARGATE_SPOT'}`,
    apply: (e) => ({ ...e, monitoring: { ...e.monitoring, spot: !e.monitoring.spot } }),
  });
  // Prometheus keeps its TSDB on Fargate ephemeral storage: longer retention needs more of it (billed above 20 GiB).
  const retention = [
    { days: 7, ephemeralStorageGiB: 21, retentionSizeGiB: 12 },
    { days: 30, ephemeralStorageGiB: 50, retentionSizeGiB: 40 },
  ];
  for (const r of retention) {
    if (r.days === env.monitoring.prometheus.retentionDays) continue;
    out.push({
      lever: 'Prometheus retention',
      option: `${r.days} days on ${r.ephemeralStorageGiB} GiB`,
      apply: (e) => ({
        ...e,
        monitoring: {
          ...e.monitoring,
          prometheus: {
            ...e.monitoring.prometheus,
            retentionDays: r.days,
            ephemeralStorageGiB: r.ephemeralStorageGiB,
            retentionSizeGiB: r.retentionSizeGiB,
          },
        },
      }),
    });
  }
  if (env.database === 'rds') {
    const rds = (patch: Partial<EnvironmentConfig['rds']>) => (e: EnvironmentConfig) => ({
      ...e,
      rds: { ...e.rds, ...patch },
    });
    out.push({
      lever: 'Database',
      option: `RDS Multi-AZ ${env.rds.multiAz ? 'off' : 'on'}`,
      apply: rds({ multiAz: !env.rds.multiAz }),
    });
    const smaller = SMALLER_RDS[env.rds.instanceType];
    if (smaller) out.push({ lever: 'Database', option: `RDS db.${smaller}`, apply: rds({ instanceType: smaller }) });
    out.push({ lever: 'Database', option: "database: 'none' (embedded)", apply: (e) => ({ ...e, database: 'none' }) });
  }
  return out;
}

/** `config` with one environment replaced. */
export function withEnvironment(config: NodeappConfig, env: EnvironmentConfig): NodeappConfig {
  return { ...config, environments: config.environments.map((e) => (e.name === env.name ? env : e)) };
}
