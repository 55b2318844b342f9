import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Template } from 'aws-cdk-lib/assertions';
import type { EnvironmentConfig } from '../config/types.ts';
import { envConfig, fixtureStack, fixtureTask } from './fixtures.ts';
import { buildTestApp, type CfnProperties, resourcesOf } from './helpers.ts';

/** The app task definition alone (fixtureTask) with the given environment config: its containers. */
function containers(config: EnvironmentConfig): CfnProperties[] {
  const stack = fixtureStack();
  fixtureTask(stack, config);
  return resourcesOf(Template.fromStack(stack), 'AWS::ECS::TaskDefinition')[0]?.[1].Properties.ContainerDefinitions;
}
const prod = envConfig('prod');

describe('Site24x7 agent sidecar', () => {
  it('runs the pinned agent image, non-essential, with its own share and the key as an ECS secret', () => {
    const agent = containers({ ...prod, site24x7: { ...prod.site24x7, enabled: true } }).find(
      (c) => c.Name === 'site24x7-agent',
    );
    assert.ok(agent);
    // The tag Site24x7's own Helm chart pins (charts/site24x7/values.yaml).
    assert.equal(agent.Image, 'site24x7/docker-agent:release22300');
    assert.equal(agent.Essential, false);
    assert.equal(agent.Cpu, 128);
    // The chart requests 100 MiB; the hard limit keeps the app's share of the task.
    assert.equal(agent.MemoryReservation, 100);
    assert.equal(agent.Memory, 256);
    // The image's entrypoint skips its /host/proc and /host/sys checks only with SERVERLESS set.
    assert.deepEqual(agent.Environment, [{ Name: 'SERVERLESS', Value: 'true' }]);
    assert.equal(agent.Secrets.length, 1);
    assert.equal(agent.Secrets[0].Name, 'KEY');
    assert.equal(agent.MountPoints, undefined, 'no host mounts');
    // The entrypoint installs the agent into /opt at start: the root filesystem must stay writable.
    assert.equal(agent.ReadonlyRootFilesystem, false);
  });

  // Config validation, which the app runs before it builds any stack (buildApp): no construct involved.
  it('rejects a memory reservation above the agent limit, naming the field', () => {
    assert.throws(
      () =>
        buildTestApp({
          overrides: {
            prod: (c) => ({ ...c, site24x7: { ...c.site24x7, enabled: true, memoryReservationMiB: 512 } }),
          },
        }),
      /prod\.site24x7\.memoryReservationMiB/,
    );
  });

  it('is absent when config leaves it off (the default)', () => {
    assert.deepEqual(
      containers(envConfig('dev')).map((c) => c.Name),
      ['app'],
    );
  });
});
