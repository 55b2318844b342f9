// How every monitoring container runs, like the app: read-only root filesystem, all Linux capabilities dropped,
// a non-root user, and writable paths only on the task's bind mounts where the container keeps data. Fargate bind
// mounts are root-owned 0755 unless the image declares the path as a VOLUME (ECS then copies the image's directory,
// ownership included): https://docs.aws.amazon.com/AmazonECS/latest/developerguide/bind-mounts.html
import * as ecs from 'aws-cdk-lib/aws-ecs';
import type { Construct } from 'constructs';

export interface HardenedContainer {
  /** uid:gid the image's data paths belong to. */
  readonly user: string;
  /** Writable data paths (each a task bind mount, declared as a VOLUME in the image). */
  readonly dataPaths?: readonly { readonly volume: string; readonly path: string }[];
}

/** Options every monitoring container definition starts from. */
export function hardenedOptions(scope: Construct, id: string, hardening: HardenedContainer) {
  const linuxParameters = new ecs.LinuxParameters(scope, `${id}LinuxParameters`, { initProcessEnabled: false });
  linuxParameters.dropCapabilities(ecs.Capability.ALL);
  return { readonlyRootFilesystem: true, user: hardening.user, linuxParameters };
}

/** Adds the container's data volumes (one per path, not shared) to its task definition and mounts them. */
export function mountDataPaths(
  taskDefinition: ecs.TaskDefinition,
  container: ecs.ContainerDefinition,
  hardening: HardenedContainer,
): void {
  for (const { volume, path } of hardening.dataPaths ?? []) {
    // A task bind mount (no host path): on Fargate it lives on the task's encrypted ephemeral storage.
    taskDefinition.addVolume({ name: volume });
    container.addMountPoints({ sourceVolume: volume, containerPath: path, readOnly: false });
  }
}
