// The container images an environment runs: the single list that infra, the pipeline's image matrix and the local
// rehearsal all read. Each image has its own ECR repository in the shared account (NodeappRegistry). The pipeline
// builds, scans and pushes every image once per architecture, then deploys pass each one's manifest-list digest as
// `-c <name>ImageDigest=sha256:<64 hex>`; infra references `<repository>@<digest>` and never builds an image during
// `cdk deploy` (CDK Docker assets would be built on the deploying runner, for the wrong architecture).

import { loadServiceContract, serviceFolderFromEnv } from '@nodeapp/contract';

export const IMAGE_NAMES = ['app', 'prometheus', 'alertmanager', 'grafana', 'ecsSd'] as const;
export type ImageName = (typeof IMAGE_NAMES)[number];

export interface ImageSpec {
  /** ECR repository in the shared account. */
  readonly repositoryName: string;
  /** Dockerfile, relative to the repository root. */
  readonly dockerfile: string;
  /** Build context, relative to the repository root. */
  readonly context: string;
}

export const IMAGES: Readonly<Record<ImageName, ImageSpec>> = {
  // The service's image: its Dockerfile and context come from its contract (the folder NODEAPP_SERVICE names, else
  // app/), read when a script asks (scripts/lib/images.sh), so infra never loads a contract it does not deploy.
  app: {
    repositoryName: 'nodeapp',
    get dockerfile() {
      return loadServiceContract(serviceFolderFromEnv()).image.dockerfile;
    },
    get context() {
      return loadServiceContract(serviceFolderFromEnv()).image.context;
    },
  },
  prometheus: {
    repositoryName: 'nodeapp-prometheus',
    dockerfile: 'monitoring/prometheus/Dockerfile',
    context: 'monitoring/prometheus',
  },
  alertmanager: {
    repositoryName: 'nodeapp-alertmanager',
    dockerfile: 'monitoring/alertmanager/Dockerfile',
    context: 'monitoring/alertmanager',
  },
  grafana: {
    repositoryName: 'nodeapp-grafana',
    dockerfile: 'monitoring/grafana/Dockerfile',
    context: 'monitoring/grafana',
  },
  // The ECS service discovery sidecar of the Prometheus task (monitoring/src/ecs-sd); built from the repository root
  // like the app, because it installs the monitoring workspace's dependencies from the shared lockfile.
  ecsSd: {
    repositoryName: 'nodeapp-ecs-sd',
    dockerfile: 'monitoring/ecs-sd/Dockerfile',
    context: '.',
  },
};

/** Synthesized when no digest is given (offline synth, tests). Never pushed: `npm run deploy` refuses it. */
export const PLACEHOLDER_DIGEST = `sha256:${'0'.repeat(64)}`;
export const DIGEST_PATTERN = /^sha256:[0-9a-f]{64}$/;

/** The CDK context key a deploy passes an image's digest in: `appImageDigest`, `prometheusImageDigest`, … */
export function digestContextKey(name: ImageName): string {
  return `${name}ImageDigest`;
}
