// The images step of `npm run up`: every image of config/images.ts built locally with Docker for the environment's
// CPU architecture, then handed to the same scripts the pipeline's image and push jobs run (scripts/image-load.sh,
// scripts/image-smoke.sh, scripts/push-images.sh), pushed to the shared account's ECR under a local tag.
//
// The tag: `local-<commit>-<UTC time>` (`local-<commit>-dirty-<UTC time>` with uncommitted changes). The pipeline's
// plan job reuses an image only when `<repository>:<git sha>` exists (scripts/image-plan.sh looks up exactly
// `:$TAG`, TAG=$GITHUB_SHA) and deploys only the digests its own push job printed, so a local tag is never taken for
// a release: the pipeline still builds, scans and tests that commit itself. The time makes each push a new tag (ECR
// tags are immutable, lib/constructs/registry.ts); a re-run of a clean commit reuses the tag already pushed.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IMAGE_NAMES, IMAGES, type ImageName } from '../../../config/images.ts';
import { type Step, type StepContext, StepError } from '../context.ts';
import { run } from '../process.ts';

export const LOCAL_TAG_PREFIX = 'local-';
const LOCAL_TAG = /^local-([0-9a-f]{7,40})-(dirty-)?(\d{14})$/;

export interface Source {
  /** The commit checked out. */
  readonly commit: string;
  /** Uncommitted changes: the commit does not describe what is built. */
  readonly dirty: boolean;
}

/** The commit and whether the work tree has changes (git). */
export function gitSource(root: string): Source {
  const git = (...args: string[]) => execFileSync('git', args, { cwd: root, encoding: 'utf8' }).trim();
  return { commit: git('rev-parse', 'HEAD'), dirty: git('status', '--porcelain').length > 0 };
}

/** `local-<12 hex>-[dirty-]<yyyymmddHHMMSS>` (UTC). */
export function localTag(source: Source, now: Date): string {
  const time = now.toISOString().replace(/\D/g, '').slice(0, 14);
  return `${LOCAL_TAG_PREFIX}${source.commit.slice(0, 12)}-${source.dirty ? 'dirty-' : ''}${time}`;
}

/** True for a tag `up` pushed; never true for the 40-hex git SHA the pipeline tags releases with. */
export function isLocalTag(tag: string): boolean {
  return LOCAL_TAG.test(tag);
}

/** The newest local tag of this clean commit present in every repository, if any. */
async function reusableTag(ctx: StepContext, source: Source): Promise<string | undefined> {
  if (source.dirty) return undefined;
  let common: Set<string> | undefined;
  for (const name of IMAGE_NAMES) {
    const tags = (await ctx.cloud.shared.imageTags(IMAGES[name].repositoryName)).filter(
      (t) => LOCAL_TAG.exec(t)?.[1] === source.commit.slice(0, 12) && !t.includes('-dirty-'),
    );
    common = new Set(common ? tags.filter((t) => common?.has(t)) : tags);
  }
  return [...(common ?? [])].sort().at(-1);
}

async function digestsOf(ctx: StepContext, tag: string): Promise<Record<ImageName, string>> {
  const digests = {} as Record<ImageName, string>;
  for (const name of IMAGE_NAMES) {
    const digest = await ctx.cloud.shared.imageDigest(IMAGES[name].repositoryName, tag);
    if (!digest) throw new StepError(`${IMAGES[name].repositoryName}:${tag} has no digest`);
    digests[name] = digest;
  }
  return digests;
}

/** `linux/arm64` or `linux/amd64`: the architecture the environment's tasks run (service.cpuArchitecture). */
export function platformOf(ctx: StepContext): { platform: string; arch: string } {
  const arch = ctx.env.service.cpuArchitecture === 'ARM64' ? 'arm64' : 'amd64';
  return { platform: `linux/${arch}`, arch };
}

function registryHost(ctx: StepContext): string {
  return `${ctx.config.shared.account}.dkr.ecr.${ctx.config.shared.region}.amazonaws.com`;
}

/** The build of one image as docker/build-push-action runs it in the pipeline's image job (a type=docker archive). */
export function buildArguments(
  name: ImageName,
  archive: string,
  platform: string,
  source: Source,
  now: Date,
  version: string,
): string[] {
  const image = IMAGES[name];
  return [
    'buildx',
    'build',
    '--platform',
    platform,
    '--provenance=false',
    '--sbom=false',
    '--file',
    image.dockerfile,
    '--output',
    `type=docker,dest=${archive},name=${image.repositoryName}:ci`,
    '--build-arg',
    `GIT_COMMIT=${source.commit}`,
    '--build-arg',
    `APP_VERSION=${version}`,
    '--build-arg',
    `BUILD_DATE=${now.toISOString().replace(/\.\d+Z$/, 'Z')}`,
    '--build-arg',
    'SOURCE_URL=local',
    image.context,
  ];
}

export interface ImagesDeps {
  readonly source: Source;
  readonly now: () => Date;
}

export function imagesStep(deps: ImagesDeps): Step {
  return {
    name: 'images',
    async done(ctx) {
      const tag = await reusableTag(ctx, deps.source);
      if (!tag) {
        if (deps.source.dirty) ctx.print('  uncommitted changes: the images are built again');
        return undefined;
      }
      ctx.release = { tag, digests: await digestsOf(ctx, tag) };
      return `every image of ${deps.source.commit.slice(0, 12)} is in ECR as :${tag}`;
    },
    async plan(ctx) {
      const tag = localTag(deps.source, deps.now());
      ctx.release = { tag };
      const { platform } = platformOf(ctx);
      return IMAGE_NAMES.map(
        (n) =>
          `build ${n} (${platform}), load and smoke-test it, push it to ${registryHost(ctx)}/${IMAGES[n].repositoryName}:${tag}`,
      );
    },
    async run(ctx) {
      const now = deps.now();
      const tag = localTag(deps.source, now);
      const { platform, arch } = platformOf(ctx);
      const dir = mkdtempSync(join(tmpdir(), 'nodeapp-up-images-'));
      const version = JSON.parse(readFileSync(join(ctx.root, 'app', 'package.json'), 'utf8')).version as string;
      const env = { ...ctx.processEnv, NODEAPP_SERVICE: ctx.options.service, CONTAINER_ENGINE: 'docker' };
      const profile = ctx.options.sharedProfile;
      const step = async (what: string, command: string, args: string[], input?: string) => {
        ctx.print(`  $ ${command} ${args.join(' ')}`);
        const result = await run(command, args, { env, cwd: ctx.root, input }, ctx.print);
        if (result.status !== 0) throw new StepError(`${what} failed (exit ${result.status}, output above)`);
        return result.stdout;
      };
      try {
        for (const name of IMAGE_NAMES) {
          const archive = join(dir, `${name}-${arch}.tar`);
          const local = `${IMAGES[name].repositoryName}:ci`;
          await step(
            `docker build of ${name}`,
            'docker',
            buildArguments(name, archive, platform, deps.source, now, version),
          );
          await step(`scripts/image-load.sh ${name}`, 'bash', ['scripts/image-load.sh', archive, local]);
          await step(`scripts/image-smoke.sh ${name}`, 'bash', ['scripts/image-smoke.sh', name, local, platform]);
        }
        const login = await ctx.cloud.shared.registryLogin();
        await step(
          'docker login to ECR',
          'docker',
          ['login', '--username', login.username, '--password-stdin', login.registry],
          login.password,
        );
        const out = await step('scripts/push-images.sh', 'bash', ['scripts/push-images.sh', login.registry, tag, dir]);
        const digests = JSON.parse(/^digests=(.*)$/m.exec(out)?.[1] ?? 'null') as Record<ImageName, string> | null;
        if (!digests || IMAGE_NAMES.some((n) => !digests[n])) {
          throw new StepError('scripts/push-images.sh printed no digests= line for every image');
        }
        ctx.release = { tag, digests };
        ctx.print(`  pushed :${tag} (${profile ? `profile ${profile}` : 'current credentials'})`);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
