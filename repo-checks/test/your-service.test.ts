// docs/your-service.md, followed literally: its ```sh blocks run in order from the root of a throwaway copy of the
// repository (the contract, infra, the example service; node_modules linked, the contract workspace pointing at the
// copy), with another port and readiness path written into the new service's contract after step 2. The synthesized
// templates must carry that port and path, and the steps must stay at most ten.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { readRepoFile, repoRoot } from '../src/repo.ts';

const doc = readRepoFile('docs/your-service.md');
const blocks = [...doc.matchAll(/^ *```sh\n([\s\S]*?)^ *```$/gm)].map((m) =>
  (m[1] ?? '').replace(/^ {3}/gm, '').trim(),
);

/** A copy of what synth needs, whose contract workspace resolves the repository root to the copy. */
function throwawayRepository(): string {
  const root = mkdtempSync(join(tmpdir(), 'nodeapp-your-service-'));
  const skip = (src: string) => !/\/(node_modules|cdk\.out)(\/|$)/.test(src);
  cpSync(join(repoRoot, 'package.json'), join(root, 'package.json'));
  cpSync(join(repoRoot, 'contract'), join(root, 'contract'), { recursive: true, filter: skip });
  cpSync(join(repoRoot, 'examples'), join(root, 'examples'), { recursive: true, filter: skip });
  // infra without its tests (and without node_modules or cdk.out).
  cpSync(join(repoRoot, 'infra'), join(root, 'infra'), {
    recursive: true,
    filter: (src) => skip(src) && !/\/infra\/test(\/|$)/.test(src),
  });
  mkdirSync(join(root, 'node_modules', '@nodeapp'), { recursive: true });
  for (const entry of readdirSync(join(repoRoot, 'node_modules'))) {
    if (entry !== '@nodeapp') symlinkSync(join(repoRoot, 'node_modules', entry), join(root, 'node_modules', entry));
  }
  for (const ws of readdirSync(join(repoRoot, 'node_modules', '@nodeapp'))) {
    const target = ws === 'contract' ? join(root, 'contract') : join(repoRoot, ws);
    symlinkSync(target, join(root, 'node_modules', '@nodeapp', ws));
  }
  return root;
}

const root = throwawayRepository();
after(() => rmSync(root, { recursive: true, force: true }));

test('docs/your-service.md: at most ten steps, and the commands the test runs', () => {
  const steps = [...doc.matchAll(/^(\d+)\. \*\*/gm)].map((m) => Number(m[1]));
  assert.deepEqual(
    steps,
    steps.map((_, i) => i + 1),
  );
  assert.ok(steps.length <= 10, `${steps.length} steps`);
  assert.equal(blocks.length, 4, blocks.join('\n---\n'));
});

test('following the steps on a copy of the example, with its own port and readiness path, synthesizes it', () => {
  const port = 8181;
  const readiness = '/ready';
  blocks.forEach((block, i) => {
    const run = spawnSync('bash', ['-euo', 'pipefail', '-c', block], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true', AWS_EC2_METADATA_DISABLED: 'true' },
      timeout: 110_000,
    });
    assert.equal(run.status, 0, `step block ${i + 1} failed:\n${block}\n${run.stdout}${run.stderr}`);
    if (i === 1) {
      // Another port and health path, as a user's own service would have (the server reads PORT; the path too).
      const file = join(root, 'my-service', 'service.json');
      const contract = JSON.parse(readFileSync(file, 'utf8'));
      contract.port = port;
      contract.health.readiness = readiness;
      contract.smokeTests = [{ path: readiness, contentType: 'application/json' }];
      writeFileSync(file, JSON.stringify(contract, null, 2));
      const server = join(root, 'my-service', 'server.js');
      writeFileSync(server, readFileSync(server, 'utf8').replace("app.get('/healthz'", `app.get('${readiness}'`));
    }
  });
  const template = JSON.parse(
    readFileSync(join(root, 'infra', 'cdk.out', 'Nodeapp-dev-Service.template.json'), 'utf8'),
  ) as { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> };
  const of = (type: string) => Object.values(template.Resources).filter((r) => r.Type === type);
  const [group] = of('AWS::ElasticLoadBalancingV2::TargetGroup');
  assert.equal(group?.Properties.Port, port);
  assert.equal(group?.Properties.HealthCheckPath, readiness);
  const [task] = of('AWS::ECS::TaskDefinition');
  const [container] = (task?.Properties.ContainerDefinitions ?? []) as {
    Name: string;
    PortMappings: { ContainerPort: number }[];
  }[];
  assert.equal(container?.Name, 'my-service');
  assert.deepEqual(
    container?.PortMappings.map((p) => p.ContainerPort),
    [port],
  );
  assert.deepEqual(of('AWS::RDS::DBInstance'), []);
});
