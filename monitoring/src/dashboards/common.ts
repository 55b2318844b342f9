// Shared building blocks of the Nodeapp dashboards: the datasource and task variables, and panel helpers that
// always set a unit and a visible legend. Every query goes to the datasource chosen in the `datasource` variable.

import {
  BigValueGraphMode,
  LegendDisplayMode,
  LegendPlacement,
  VizLegendOptionsBuilder,
} from '@grafana/grafana-foundation-sdk/common';
import {
  DashboardBuilder,
  DatasourceVariableBuilder,
  QueryVariableBuilder,
  type Threshold,
  ThresholdsConfigBuilder,
  ThresholdsMode,
  VariableRefresh,
  VariableSort,
} from '@grafana/grafana-foundation-sdk/dashboard';
import { DataqueryBuilder } from '@grafana/grafana-foundation-sdk/prometheus';
import { PanelBuilder as StatPanelBuilder } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as TimeseriesPanelBuilder } from '@grafana/grafana-foundation-sdk/timeseries';
import { APP_JOB_SELECTOR } from '../discovery.ts';

/** The panels' datasource: whatever Prometheus datasource the `datasource` variable selects. */
// biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's variable syntax, not a JavaScript template.
export const PROMETHEUS = { type: 'prometheus', uid: '${datasource}' };

/** Selector of the service's own series, narrowed by the `task` variable (all tasks by default). */
export const APP = `${APP_JOB_SELECTOR}, task=~"$task"`;

/** A Nodeapp dashboard with what every one shares: tags, refresh, time range, datasource and task variables. */
export function nodeappDashboard(title: string, uid: string, description: string): DashboardBuilder {
  return new DashboardBuilder(title)
    .uid(uid)
    .description(description)
    .tags(['nodeapp', 'generated'])
    .refresh('30s')
    .time({ from: 'now-3h', to: 'now' })
    .timezone('browser')
    .withVariable(datasourceVariable())
    .withVariable(taskVariable());
}

export function datasourceVariable(): DatasourceVariableBuilder {
  return new DatasourceVariableBuilder('datasource').label('Data source').type('prometheus');
}

export function taskVariable(): QueryVariableBuilder {
  return new QueryVariableBuilder('task')
    .label('Task')
    .datasource(PROMETHEUS)
    .query(`label_values(up{${APP_JOB_SELECTOR}}, task)`)
    .definition(`label_values(up{${APP_JOB_SELECTOR}}, task)`)
    .refresh(VariableRefresh.OnTimeRangeChanged)
    .sort(VariableSort.AlphabeticalAsc)
    .multi(true)
    .includeAll(true)
    .allValue('.*')
    .current({ text: 'All', value: '$__all' });
}

export interface Query {
  expr: string;
  legend: string;
}

function target(query: Query, index: number): DataqueryBuilder {
  return new DataqueryBuilder()
    .datasource(PROMETHEUS)
    .refId(String.fromCharCode(65 + index))
    .expr(query.expr)
    .legendFormat(query.legend);
}

function legend(): VizLegendOptionsBuilder {
  return new VizLegendOptionsBuilder()
    .showLegend(true)
    .displayMode(LegendDisplayMode.Table)
    .placement(LegendPlacement.Bottom)
    .calcs(['mean', 'max', 'lastNotNull']);
}

export interface TimeseriesOptions {
  title: string;
  description: string;
  unit: string;
  queries: Query[];
  width?: number;
  min?: number;
}

export function timeseries(options: TimeseriesOptions): TimeseriesPanelBuilder {
  const panel = new TimeseriesPanelBuilder()
    .title(options.title)
    .description(options.description)
    .datasource(PROMETHEUS)
    .unit(options.unit)
    .legend(legend())
    .span(options.width ?? 12)
    .height(8)
    .fillOpacity(10)
    .lineWidth(1);
  if (options.min !== undefined) panel.min(options.min);
  options.queries.forEach((query, index) => {
    panel.withTarget(target(query, index));
  });
  return panel;
}

export interface StatOptions {
  title: string;
  description: string;
  unit: string;
  query: Query;
  /** Value from which the stat turns red (green below). */
  red?: number;
}

export function stat(options: StatOptions): StatPanelBuilder {
  const steps: Threshold[] = [{ value: null, color: 'green' }];
  if (options.red !== undefined) steps.push({ value: options.red, color: 'red' });
  return new StatPanelBuilder()
    .title(options.title)
    .description(options.description)
    .datasource(PROMETHEUS)
    .unit(options.unit)
    .graphMode(BigValueGraphMode.Area)
    .thresholds(new ThresholdsConfigBuilder().mode(ThresholdsMode.Absolute).steps(steps))
    .span(6)
    .height(4)
    .withTarget(target(options.query, 0));
}
