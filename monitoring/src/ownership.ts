// The failure modes Prometheus alerts on for one service: the modes of the alert rules generated for its contract
// (rulesFor: a service that exports no metrics, no runtime or no request histogram gets fewer rules). Infra gives the
// service's other modes to CloudWatch (infra/lib/constructs/alarms.ts), so a mode is never left without an owner.
import type { ServiceContract } from '@nodeapp/contract';
import { alertRuleGroups } from './alert-rules.ts';
import { FAILURE_MODE_LABEL, type FailureMode } from './alerting.ts';
import { discoveryOf } from './discovery.ts';
import { rulesFor } from './generate.ts';
import { sloRuleGroups } from './slo-rules.ts';

export function prometheusFailureModes(service: ServiceContract): ReadonlySet<FailureMode> {
  const discovery = discoveryOf(service);
  const rules: { alert?: string; labels?: Record<string, string> }[] = [
    ...rulesFor(alertRuleGroups(), discovery, service.database !== undefined).groups.flatMap((g) => g.rules),
    // The SLO rules are the same in every environment but their objectives; they exist with the request histogram.
    ...(discovery.httpHistogram ? sloRuleGroups('local').groups.flatMap((g) => g.rules) : []),
  ];
  return new Set(
    rules.flatMap((r) =>
      r.alert && r.labels?.[FAILURE_MODE_LABEL] ? [r.labels[FAILURE_MODE_LABEL] as FailureMode] : [],
    ),
  );
}

/** For tests that check a service's alarms against its rules. */
export { alertRuleGroups, rulesFor };
