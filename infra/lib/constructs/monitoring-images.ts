// The monitoring images are built from the repository's monitoring/ folder (upstream images pinned by version,
// plus the Nodeapp config): synth only stages the folders; `cdk deploy` builds and pushes them as CDK assets.
import { fileURLToPath } from 'node:url';
import * as ecrAssets from 'aws-cdk-lib/aws-ecr-assets';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import type { CpuArchitecture } from '../../config/types.ts';

export const MONITORING_DIR = fileURLToPath(new URL('../../../monitoring', import.meta.url));

export function monitoringImage(
  name: 'prometheus' | 'alertmanager' | 'grafana',
  architecture: CpuArchitecture,
  buildArgs?: Record<string, string>,
): ecs.ContainerImage {
  return ecs.ContainerImage.fromAsset(`${MONITORING_DIR}/${name}`, {
    platform: architecture === 'ARM64' ? ecrAssets.Platform.LINUX_ARM64 : ecrAssets.Platform.LINUX_AMD64,
    buildArgs,
    // Only what the Dockerfile copies; the rule unit tests next to the rules stay out of the image hash.
    exclude: ['**/*.test.yml'],
  });
}
