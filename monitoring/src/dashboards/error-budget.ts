// Error budget: per SLO (availability, latency) the budget left over 30 days, the burn rate over the alerts' windows
// against their thresholds, and the error ratio. Reads only the SLO recording rules (src/slo-rules.ts), so it shows
// whatever objectives the environment's Prometheus loads (slo:objective:ratio).

import { type DashboardBuilder, RowBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { BURN_RATE_WINDOWS } from '../alerting.ts';
import { nodeappDashboard, stat, timeseries } from './common.ts';

const SLOS = ['availability', 'latency'] as const;

export function errorBudget(): DashboardBuilder {
  const dashboard = nodeappDashboard(
    'Nodeapp / Error budget',
    'nodeapp-error-budget',
    'Service level objectives of this environment: error budget left over 30 days and how fast it burns. The burn-rate alerts page at 14.4× (1 h) and 6× (6 h), and open a ticket at 3× (1 d) and 1× (3 d).',
  );
  for (const slo of SLOS) {
    const budget = `(1 - scalar(slo:objective:ratio{slo="${slo}"}))`;
    const ratio = (window: string) => `slo:sli_error:ratio_rate${window}{slo="${slo}"}`;
    dashboard
      .withRow(new RowBuilder(`SLO: ${slo}`))
      .withPanel(
        stat({
          title: `${slo}: objective`,
          description: 'Share of good events the SLO promises over 30 days.',
          unit: 'percentunit',
          query: { expr: `slo:objective:ratio{slo="${slo}"}`, legend: 'objective' },
        }),
      )
      .withPanel(
        stat({
          title: `${slo}: error budget left (30 d)`,
          description:
            'One minus the share of the 30-day budget spent: the mean 5-minute error ratio over 30 days (or the data there is) divided by the budget (1 − objective).',
          unit: 'percentunit',
          query: { expr: `1 - avg_over_time(${ratio('5m')}[30d]) / ${budget}`, legend: 'budget left' },
        }),
      )
      .withPanel(
        timeseries({
          title: `${slo}: burn rate`,
          description: `Error ratio over each alert window divided by the budget: 1 spends the budget in exactly 30 days. Thresholds: ${BURN_RATE_WINDOWS.map((w) => `${w.factor}× over ${w.long}`).join(', ')}.`,
          unit: 'x',
          min: 0,
          queries: [...new Set(BURN_RATE_WINDOWS.map((w) => w.long))].map((w) => ({
            expr: `${ratio(w)} / ${budget}`,
            legend: w,
          })),
        }),
      )
      .withPanel(
        timeseries({
          title: `${slo}: error ratio`,
          description: 'Share of bad events (5 min and 1 h) against the budget.',
          unit: 'percentunit',
          min: 0,
          queries: [
            { expr: ratio('5m'), legend: '5m' },
            { expr: ratio('1h'), legend: '1h' },
            { expr: budget, legend: 'budget (1 − objective)' },
          ],
        }),
      );
  }
  return dashboard;
}
