// Entry point of the ECS service discovery sidecar image (monitoring/ecs-sd/Dockerfile). Settings from the
// environment; a missing or malformed one exits 1 naming the variable. AWS credentials and region come from the
// task role through the SDK's default chain; AWS_ENDPOINT_URL_ECS (an SDK setting) points it elsewhere in tests.
import { ECSClient } from '@aws-sdk/client-ecs';
import { createSidecar } from './server.ts';
import { type SidecarConfig, sidecarConfig } from './settings.ts';
import { ECS_SD_CACHE_SECONDS, ECS_SD_PORT } from './wiring.ts';

let config: SidecarConfig;
try {
  // ECS_CONTAINER and METRICS_PORT come from the service's contract through infra (no default here).
  config = sidecarConfig(process.env, {
    listenPort: ECS_SD_PORT,
    cacheSeconds: ECS_SD_CACHE_SECONDS,
  });
} catch (error) {
  console.error(`ecs-sd: ${(error as Error).message}`);
  process.exit(1);
}

// Every ECS call: a connection and a response timeout, and at most 3 attempts with the SDK's standard retry strategy
// (exponential backoff with jitter; throttling and transient errors are retried):
// https://github.com/aws/aws-sdk-js-v3/blob/main/supplemental-docs/CLIENTS.md#request-handler-requesthandler,
// https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html. The pass deadline (createSidecar's
// passTimeoutMs) bounds the whole pass, retries included.
const server = createSidecar({
  client: new ECSClient({
    requestHandler: { connectionTimeout: 3_000, requestTimeout: config.requestTimeoutMs },
    maxAttempts: 3,
  }),
  passTimeoutMs: config.passTimeoutMs,
  settings: config.settings,
  cacheSeconds: config.cacheSeconds,
  log: (message) => console.error(`ecs-sd: ${message}`),
});
server.listen(config.listenPort, config.listenHost, () => {
  console.log(
    `ecs-sd: serving the tasks of service ${config.settings.serviceName} in cluster ${config.settings.cluster} on http://${config.listenHost}:${config.listenPort}/targets`,
  );
});
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => server.close(() => process.exit(0)));
}
