// Fargate counts the vCPUs of running tasks against two per-region account quotas, On-Demand and Spot; a new
// account's may be lower than an environment needs at its maximum scale, and ECS then leaves tasks PENDING.
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-quotas.html (Fargate quotas)
// https://docs.aws.amazon.com/servicequotas/2019-06-24/apireference/API_GetServiceQuota.html
import type { EnvironmentConfig } from '../../config/types.ts';
import type { CheckContext } from '../context.ts';
import { type CheckResult, fail, pass } from '../result.ts';
import { quota } from './quotas.ts';

export const FARGATE_ON_DEMAND_VCPU = { ServiceCode: 'fargate', QuotaCode: 'L-3032A538' } as const;
export const FARGATE_SPOT_VCPU = { ServiceCode: 'fargate', QuotaCode: 'L-36FBB829' } as const;

/** vCPUs the environment runs at its maximum scale, on On-Demand and on Spot (the capacity provider strategy). */
export function fargateVcpus(env: EnvironmentConfig): { onDemand: number; spot: number } {
  if (env.capacity !== 'fargate') return { onDemand: 0, spot: 0 };
  const s = env.service;
  const vcpu = s.cpu / 1024;
  const rest = Math.max(0, s.maxCount - s.fargateBase);
  const weights = s.fargateWeight + s.fargateSpotWeight;
  const spotTasks = Math.ceil((rest * s.fargateSpotWeight) / weights);
  const monitoring = (env.monitoring.prometheus.cpu + env.monitoring.grafana.cpu) / 1024;
  const monitoringSpot = env.monitoring.spot === true;
  return {
    onDemand: (s.maxCount - spotTasks) * vcpu + (monitoringSpot ? 0 : monitoring),
    spot: spotTasks * vcpu + (monitoringSpot ? monitoring : 0),
  };
}

export async function checkFargateQuotas(ctx: CheckContext): Promise<CheckResult> {
  const check = 'fargate-quotas';
  const need = fargateVcpus(ctx.env);
  const [onDemand, spot] = [await quota(ctx, FARGATE_ON_DEMAND_VCPU), await quota(ctx, FARGATE_SPOT_VCPU)];
  const short = [
    ...(need.onDemand > onDemand ? [`On-Demand ${need.onDemand} vCPU > quota ${onDemand}`] : []),
    ...(need.spot > spot ? [`Spot ${need.spot} vCPU > quota ${spot}`] : []),
  ];
  const where = `${ctx.env.account}/${ctx.env.region}`;
  if (short.length > 0) {
    return fail(
      check,
      `${where} at maximum scale: ${short.join('; ')} (other workloads of the account count too)`,
      'request a Fargate vCPU quota increase (Service Quotas → AWS Fargate) or lower service.maxCount',
    );
  }
  return pass(
    check,
    `${where} at maximum scale On-Demand ${need.onDemand} of ${onDemand} vCPU, Spot ${need.spot} of ${spot} vCPU`,
  );
}
