// promtool on the real files: both Prometheus config variants, and the rule unit tests. Plus the rules' own
// contract: every alert carries severity, summary, description and a runbook_url whose anchor exists, and every
// alert has a firing and a non-firing unit test case.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import { TRAFFIC } from '../src/alerting.ts';
import { leMatcher } from '../src/slo-rules.ts';
import { allRules, RULES_DIR, ruleFiles, ruleGroups, ruleTestFiles, sloRuleFiles } from './support/rules.ts';
import { MONITORING_DIR, REPO_DIR, requireTools, run } from './support/tools.ts';

test('no false alarms: scale-in, target churn and the nightly scale-to-zero each have a non-firing promtool case', () => {
  const doc = parse(readFileSync(join(RULES_DIR, 'alerts.test.yml'), 'utf8')) as {
    tests: { name: string; alert_rule_test?: AlertRuleTest[] }[];
  };
  const quiet = (pattern: RegExp, alertname: string) =>
    doc.tests.some(
      (tc) =>
        pattern.test(tc.name) &&
        (tc.alert_rule_test ?? []).some((c) => c.alertname === alertname && (c.exp_alerts ?? []).length === 0),
    );
  assert.ok(quiet(/scale-in/, 'NodeappFrequentRestarts'), 'NodeappFrequentRestarts: scale-in case');
  assert.ok(quiet(/churn/, 'NodeappFrequentRestarts'), 'NodeappFrequentRestarts: target churn case');
  assert.ok(
    quiet(/scales the service to zero/, 'NodeappServiceDown'),
    'NodeappServiceDown: nightly scale-to-zero case',
  );
  assert.ok(quiet(/scale-up from zero/, 'NodeappServiceDown'), 'NodeappServiceDown: morning scale-up case');
});

test('the restarts alert has firing cases where the stopped-task counter starts absent (its first value counts)', () => {
  const doc = parse(readFileSync(join(RULES_DIR, 'alerts.test.yml'), 'utf8')) as {
    tests: { input_series: { series: string; values: string }[]; alert_rule_test?: AlertRuleTest[] }[];
  };
  const fromAbsent = doc.tests.filter(
    (tc) =>
      tc.input_series.some((s) => s.series.startsWith('nodeapp_ecs_tasks_stopped_total') && s.values.startsWith('_')) &&
      (tc.alert_rule_test ?? []).some((c) => c.alertname === 'NodeappFrequentRestarts' && (c.exp_alerts ?? []).length),
  );
  assert.ok(fromAbsent.length >= 2, 'four crashes, and five at once, from an absent counter');
});

test('health checks and the metrics endpoint count in no traffic-based rule', () => {
  const rules = [...ruleFiles(), ...sloRuleFiles()].flatMap((file) => ruleGroups(file).flatMap((g) => g.rules));
  const traffic = rules.filter(
    (r) =>
      (r.record?.startsWith('job:') || r.record?.startsWith('slo:sli')) && r.expr.includes('http_request_duration'),
  );
  assert.ok(traffic.length >= 10);
  for (const rule of traffic) {
    for (const selector of rule.expr.match(
      /http_request_duration_seconds_\w+\{[^}]*\}|http_request_duration_seconds_\w+\[/g,
    ) ?? []) {
      assert.ok(selector.includes(TRAFFIC), `${rule.record}: ${selector} counts health checks`);
    }
  }
});

test('promtool check config accepts the ECS and the compose Prometheus config', (t) => {
  const tools = requireTools(t, ['promtool']);
  if (!tools) return;
  for (const file of ['prometheus/prometheus.yml', 'prometheus/prometheus.compose.yml']) {
    const out = run(tools.promtool, ['check', 'config', file]);
    assert.match(out, /is valid prometheus config file syntax/);
    assert.match(out, /SUCCESS: 2 rule files found/, `${file} must load the rule files`);
  }
});

test('promtool test rules passes every rule unit test file', (t) => {
  const tools = requireTools(t, ['promtool']);
  if (!tools) return;
  const files = ruleTestFiles();
  assert.ok(files.length >= 2);
  const out = run(tools.promtool, ['test', 'rules', ...files], RULES_DIR);
  assert.equal(out.match(/SUCCESS/g)?.length, files.length, out);
});

test('every alert has severity, summary, description and a runbook_url anchored in docs/runbook.md', () => {
  const runbook = readFileSync(join(REPO_DIR, 'docs', 'runbook.md'), 'utf8');
  const anchors = new Set([...runbook.matchAll(/^## +(\S+)\s*$/gm)].map((m) => (m[1] ?? '').toLowerCase()));
  const alerts = allRules().filter((r) => r.alert);
  assert.ok(alerts.length >= 7);
  for (const alert of alerts) {
    // Watchdog alone has severity none: it only goes to the heartbeat receiver.
    const severities = alert.alert === 'Watchdog' ? /^none$/ : /^(critical|warning)$/;
    assert.match(alert.labels?.severity ?? '', severities, `${alert.alert} severity`);
    assert.ok(alert.annotations?.summary, `${alert.alert} summary`);
    assert.ok(alert.annotations?.description, `${alert.alert} description`);
    const url = alert.annotations?.runbook_url ?? '';
    assert.equal(url, `docs/runbook.md#${alert.alert?.toLowerCase()}`, `${alert.alert} runbook_url`);
    assert.ok(anchors.has(alert.alert?.toLowerCase() ?? ''), `docs/runbook.md has no section "## ${alert.alert}"`);
  }
});

interface AlertRuleTest {
  alertname: string;
  exp_alerts?: unknown[];
}

test('every alert has a unit test case where it fires and one where it must not', () => {
  const cases: AlertRuleTest[] = ruleTestFiles().flatMap((file) => {
    const doc = parse(readFileSync(join(RULES_DIR, file), 'utf8')) as {
      tests: { alert_rule_test?: AlertRuleTest[] }[];
    };
    return doc.tests.flatMap((tc) => tc.alert_rule_test ?? []);
  });
  for (const alert of allRules().filter((r) => r.alert)) {
    const own = cases.filter((c) => c.alertname === alert.alert);
    if (alert.alert === 'Watchdog') {
      // Always firing by design: only the firing case exists.
      assert.ok(
        own.some((c) => (c.exp_alerts ?? []).length > 0),
        'Watchdog has no firing case',
      );
      continue;
    }
    assert.ok(
      own.some((c) => (c.exp_alerts ?? []).length > 0),
      `${alert.alert} has no firing case`,
    );
    assert.ok(
      own.some((c) => (c.exp_alerts ?? []).length === 0),
      `${alert.alert} has no non-firing case`,
    );
  }
});

test('the monitoring folder keeps its files where the images and compose expect them', () => {
  for (const path of [
    'prometheus/prometheus.yml',
    'alertmanager/alertmanager.yml',
    'grafana/provisioning/datasources/datasources.yml',
  ]) {
    assert.ok(readFileSync(join(MONITORING_DIR, path), 'utf8').length > 0, path);
  }
});

test('a whole-number latency threshold matches its bucket as Prometheus 2 ("1") and 3 ("1.0") write it', () => {
  const regex = (matcher: string) => {
    const [, pattern = ''] = /^le=~"(.*)"$/.exec(matcher) ?? [];
    // PromQL string → regex source (\\ is one backslash), anchored as Prometheus anchors label regexes.
    return new RegExp(`^(?:${pattern.replaceAll('\\\\', '\\')})$`);
  };
  assert.ok(regex(leMatcher(1)).test('1'));
  assert.ok(regex(leMatcher(1)).test('1.0'));
  assert.ok(!regex(leMatcher(1)).test('1.5'));
  assert.equal(leMatcher(0.25), 'le="0.25"');
});
