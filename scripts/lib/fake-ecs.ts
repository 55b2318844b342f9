// A loopback ECS API for scripts/image-smoke.sh's ecsSd case: the same stand-in the monitoring end-to-end test uses
// (monitoring/test/support/fake-aws.ts: AWS JSON 1.1 ListTasks, DescribeTasks, DescribeServices), holding one
// service with two RUNNING tasks and one STOPPED. The sidecar image reaches it through the SDK's
// AWS_ENDPOINT_URL_ECS (https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html).
//   node scripts/lib/fake-ecs.ts CLUSTER SERVICE URL_FILE   → writes http://127.0.0.1:<port> to URL_FILE, serves
//   until SIGTERM/SIGINT. Nothing here leaves the machine.
import { writeFileSync } from 'node:fs';
import { FakeEcs } from '../../monitoring/test/support/fake-aws.ts';

const [cluster, service, urlFile] = process.argv.slice(2);
if (!cluster || !service || !urlFile) {
  console.error('usage: node scripts/lib/fake-ecs.ts CLUSTER SERVICE URL_FILE');
  process.exit(2);
}
const ecs = new FakeEcs(cluster, service);
ecs.desiredCount = 2;
ecs.tasks = [
  { id: 'smoke0000000000000000000000000001', ip: '10.0.1.11', revision: '7', lastStatus: 'RUNNING' },
  { id: 'smoke0000000000000000000000000002', ip: '10.0.2.12', revision: '7', lastStatus: 'RUNNING' },
  {
    id: 'smoke0000000000000000000000000003',
    ip: '10.0.1.13',
    revision: '6',
    lastStatus: 'STOPPED',
    stopCode: 'EssentialContainerExited',
  },
];
writeFileSync(urlFile, `${await ecs.start()}\n`);
// The sidecar's SDK may hold a keep-alive connection open: exit without waiting for it.
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => process.exit(0));
