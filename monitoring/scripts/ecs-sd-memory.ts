// Measures the discovery sidecar's memory under load, with and without the heap cap the task sets (ECS_SD_HEAP_MIB
// in infra/lib/constructs/monitoring-prometheus.ts), in one run: a loopback ECS with TASKS running and as many stopped
// tasks, the sidecar asked for its targets without cache as fast as it answers for SECONDS. Prints peak RSS (VmHWM)
// per variant and the capped/uncapped ratio. Usage: node scripts/ecs-sd-memory.ts [tasks=300] [seconds=30]
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FakeEcs } from '../test/support/fake-aws.ts';

const TASKS = Number(process.argv[2] ?? 300);
const SECONDS = Number(process.argv[3] ?? 30);
const HEAP_MIB = 48;

async function measure(nodeArgs: string[]): Promise<{ peakMiB: number; passes: number }> {
  const ecs = new FakeEcs('nodeapp-bench', 'app');
  for (let i = 0; i < TASKS * 2; i++) {
    ecs.tasks.push({
      id: i.toString(16).padStart(32, '0'),
      ip: `10.1.${i >> 8}.${i & 255}`,
      revision: '1',
      lastStatus: i < TASKS ? 'RUNNING' : 'STOPPED',
      stopCode: i < TASKS ? undefined : 'EssentialContainerExited',
    });
  }
  ecs.desiredCount = TASKS;
  const url = await ecs.start();
  const port = 20000 + Math.floor(Math.random() * 20000);
  const child = spawn(process.execPath, [...nodeArgs, join(import.meta.dirname, '..', 'src', 'ecs-sd', 'main.ts')], {
    env: {
      PATH: process.env.PATH,
      ECS_CLUSTER: 'nodeapp-bench',
      ECS_SERVICE: 'app',
      LISTEN_PORT: String(port),
      CACHE_SECONDS: '0',
      AWS_ENDPOINT_URL_ECS: url,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'bench',
    },
    stdio: 'ignore',
  });
  try {
    for (let i = 0; ; i++) {
      if (
        await fetch(`http://127.0.0.1:${port}/-/healthy`).then(
          (r) => r.ok,
          () => false,
        )
      )
        break;
      if (i > 100) throw new Error('the sidecar did not start');
      await new Promise((r) => setTimeout(r, 100));
    }
    let passes = 0;
    const end = Date.now() + SECONDS * 1000;
    while (Date.now() < end) {
      const response = await fetch(`http://127.0.0.1:${port}/targets`);
      if (!response.ok) throw new Error(`targets: ${response.status}`);
      await response.arrayBuffer();
      passes++;
    }
    const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
    const peakKiB = Number(/^VmHWM:\s+(\d+)/m.exec(status)?.[1]);
    return { peakMiB: peakKiB / 1024, passes };
  } finally {
    child.kill('SIGTERM');
    await ecs.close();
  }
}

const uncapped = await measure([]);
const capped = await measure([`--max-old-space-size=${HEAP_MIB}`]);
console.log(`tasks ${TASKS} running + ${TASKS} stopped, ${SECONDS} s of uncached passes each`);
console.log(`no heap cap:      peak RSS ${uncapped.peakMiB.toFixed(1)} MiB, ${uncapped.passes} passes`);
console.log(`heap cap ${HEAP_MIB} MiB: peak RSS ${capped.peakMiB.toFixed(1)} MiB, ${capped.passes} passes`);
console.log(`ratio capped/uncapped: ${(capped.peakMiB / uncapped.peakMiB).toFixed(2)}`);
