// Every Grafana dashboard of Nodeapp, built with the Grafana Foundation SDK.
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { database } from './database.ts';
import { errorBudget } from './error-budget.ts';
import { nodejsRuntime } from './nodejs-runtime.ts';
import { serviceOverview } from './service-overview.ts';

export function dashboards(): Dashboard[] {
  return [serviceOverview(), nodejsRuntime(), database(), errorBudget()].map((builder) => {
    const dashboard = builder.build();
    // The SDK leaves ids unset (rows get 0); Grafana links, alerts and "view panel" URLs need unique ids.
    dashboard.panels?.forEach((panel, index) => {
      panel.id = index + 1;
    });
    return dashboard;
  });
}
