// Renders the Alertmanager config as the image's entrypoint does at start (entrypoint.sh with a no-op binary), for
// amtool, the image tests and the end-to-end test.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { MONITORING_DIR } from './tools.ts';

export const TEST_ENVIRONMENT = {
  SNS_TOPIC_ARN: 'arn:aws:sns:us-east-1:111111111111:Nodeapp-dev-alarms',
  HEARTBEAT_TOPIC_ARN: 'arn:aws:sns:us-east-1:111111111111:Nodeapp-dev-heartbeat',
  AWS_REGION: 'us-east-1',
  GRAFANA_URL: 'https://d111111abcdef8.cloudfront.net/grafana',
  RUNBOOK_URL: 'https://github.com/example-owner/nodeapp/blob/main/docs/runbook.md',
};

export function runAlertmanagerEntrypoint(runDir: string, env: Record<string, string>, binary = 'true') {
  return spawnSync('sh', [join(MONITORING_DIR, 'alertmanager', 'entrypoint.sh')], {
    encoding: 'utf8',
    env: {
      PATH: process.env.PATH,
      AM_RUN_DIR: runDir,
      AM_CONFIG_DIR: join(MONITORING_DIR, 'alertmanager'),
      AM_BINARY: binary,
      ...env,
    },
  });
}

/** The rendered config's path; throws with the entrypoint's output when it fails. */
export function renderAlertmanagerConfig(runDir: string, env: Record<string, string> = {}): string {
  const result = runAlertmanagerEntrypoint(runDir, { ...TEST_ENVIRONMENT, ...env });
  if (result.status !== 0) throw new Error(`entrypoint.sh failed: ${result.stderr}${result.stdout}`);
  return join(runDir, 'alertmanager.yml');
}
