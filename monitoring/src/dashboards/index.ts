// Every Grafana dashboard of Nodeapp, built with the Grafana Foundation SDK, for the service the monitoring is
// generated for (its contract, discovery.ts): the dashboards that read the service's own metrics only when its
// contract says it exports them; otherwise the service overview comes from the load balancer's CloudWatch metrics.
import type { Dashboard, DashboardBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { SERVICE, SERVICE_DISCOVERY, type ServiceDiscovery } from '../discovery.ts';
import { database } from './database.ts';
import { errorBudget } from './error-budget.ts';
import { loadBalancerOverview } from './load-balancer.ts';
import { nodejsRuntime } from './nodejs-runtime.ts';
import { serviceOverview } from './service-overview.ts';

/** The dashboards a service gets from what its contract says it exports. */
export function dashboardsFor(service: ServiceDiscovery, hasDatabase: boolean): DashboardBuilder[] {
  const builders = [service.httpHistogram ? serviceOverview(service.httpHistogram) : loadBalancerOverview()];
  if (service.nodeRuntime) builders.push(nodejsRuntime());
  // The database panels read the service's own query metrics: only a service with metrics and a database.
  if (hasDatabase && service.metricsPort !== undefined) builders.push(database());
  // The SLOs are computed from the request histogram (src/slo-rules.ts).
  if (service.httpHistogram) builders.push(errorBudget());
  return builders;
}

export function dashboards(
  service: ServiceDiscovery = SERVICE_DISCOVERY,
  hasDatabase: boolean = SERVICE.database !== undefined,
): Dashboard[] {
  return dashboardsFor(service, hasDatabase).map((builder) => {
    const dashboard = builder.build();
    // The SDK leaves ids unset (rows get 0); Grafana links, alerts and "view panel" URLs need unique ids.
    dashboard.panels?.forEach((panel, index) => {
      panel.id = index + 1;
    });
    return dashboard;
  });
}
