// app/Dockerfile and .dockerignore agree with each other and with the container contract. The root .dockerignore
// serves every image built from the repository root (infra/config/images.ts: context '.'), so the allowlist checks
// read all of their Dockerfiles.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { IMAGES } from '@nodeapp/infra/config/images';
import { importGraph } from '../src/imports.ts';
import { readRepoFile } from '../src/repo.ts';

const dockerfile = readRepoFile('app/Dockerfile');
const ignore = readRepoFile('.dockerignore')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l && !l.startsWith('#'));
const finalStage = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
const rootContextDockerfiles = Object.values(IMAGES)
  .filter((image) => image.context === '.')
  .map((image) => image.dockerfile);

/** Sources of every COPY that reads the build context (not another stage). */
function contextSourcesOf(text: string): string[] {
  return text
    .split('\n')
    .filter((l) => /^COPY /.test(l) && !l.includes('--from='))
    .flatMap((l) =>
      l
        .replace(/^COPY\s+/, '')
        .split(/\s+/)
        .slice(0, -1)
        .map((source) => source.replace(/\/$/, '')),
    );
}
const contextSources = rootContextDockerfiles.flatMap((file) => contextSourcesOf(readRepoFile(file)));

test('.dockerignore denies everything, then allows exactly what the root-context Dockerfiles copy', () => {
  assert.ok(rootContextDockerfiles.includes('app/Dockerfile'), rootContextDockerfiles.join(', '));
  assert.equal(ignore[0], '*', 'the first rule must exclude everything');
  const allowed = ignore.filter((l) => l.startsWith('!')).map((l) => l.slice(1));
  for (const source of contextSources) {
    assert.ok(
      allowed.some((a) => source === a || source.startsWith(`${a}/`)),
      `COPY ${source} is not allowed by .dockerignore`,
    );
  }
  for (const allowedPath of allowed) {
    assert.ok(
      contextSources.some((s) => s === allowedPath || allowedPath.startsWith(`${s}/`)),
      `.dockerignore allows ${allowedPath}, which no COPY reads`,
    );
  }
  for (const never of ['**/node_modules', '**/.data', '**/dist']) assert.ok(ignore.includes(never), never);
});

test('npm ci sees the manifest of every workspace listed in the root package.json, in every root-context image', () => {
  const { workspaces } = JSON.parse(readRepoFile('package.json')) as { workspaces: string[] };
  for (const file of rootContextDockerfiles) {
    const sources = contextSourcesOf(readRepoFile(file));
    for (const ws of workspaces) {
      assert.ok(sources.includes(`${ws}/package.json`), `${file}: COPY ${ws}/package.json missing (npm ci would fail)`);
    }
  }
});

test('buildable by podman/buildah here: no syntax directive, no heredoc RUN', () => {
  assert.doesNotMatch(dockerfile, /^#\s*syntax=/m);
  assert.doesNotMatch(dockerfile, /^RUN\b.*<</m);
});

test('official bases pinned by digest in the FROM lines: node:24-bookworm-slim, Debian slim for the runtime files', () => {
  // Dependabot's docker updater reads FROM lines, not ARG defaults (dependabot/dependabot-core#2057).
  const bases = (text: string) =>
    [...text.matchAll(/^FROM (?:--platform=\S+ )?(\S+)/gm)].map((m) => m[1] as string).filter((f) => f.includes(':'));
  const appBases = bases(dockerfile);
  assert.deepEqual([...new Set(appBases.map((b) => b.split('@')[0]))].sort(), [
    'debian:bookworm-slim',
    'node:24-bookworm-slim',
  ]);
  for (const base of appBases) assert.match(base, /^[\w./-]+:[\w.-]+@sha256:[0-9a-f]{64}$/, base);
  assert.doesNotMatch(dockerfile, /^ARG \w*IMAGE=/m);
  assert.match(dockerfile, /^COPY --from=node \/usr\/local\/bin\/node \/rootfs\/usr\/local\/bin\/node$/m);
  assert.match(finalStage, /^FROM scratch\nCOPY --from=rootfs \/rootfs\/ \/$/m);
  // One digest per tag across the repository's Dockerfiles.
  const digests = new Map<string, Set<string>>();
  for (const file of Object.values(IMAGES).map((i) => i.dockerfile)) {
    for (const base of bases(readRepoFile(file)).filter((b) => b.includes('@'))) {
      const [tag, digest] = base.split('@') as [string, string];
      digests.set(tag, (digests.get(tag) ?? new Set()).add(digest));
    }
  }
  for (const [tag, set] of digests) assert.equal(set.size, 1, `${tag} is pinned to ${[...set].join(' and ')}`);
});

test('the final stage runs node directly as a numeric non-root user, with the health command ECS uses', () => {
  assert.match(finalStage, /^USER 1000:1000$/m);
  assert.match(finalStage, /^WORKDIR \/app$/m);
  assert.match(finalStage, /^EXPOSE 3000 9464$/m);
  assert.match(finalStage, /^HEALTHCHECK .* CMD \["node", "dist\/healthcheck\.js"\]$/m);
  // --liftoff-only: PGlite's memory within a 512 MiB task (app/Dockerfile, BENCHMARKS.md).
  assert.match(finalStage, /^CMD \["node", "--liftoff-only", "dist\/server\.js"\]$/m);
  // Fargate's /tmp bind mount takes the owner and mode of a VOLUME the image declares (scripts/container-smoke.sh).
  assert.match(finalStage, /^VOLUME \["\/tmp"\]$/m);
  assert.doesNotMatch(finalStage, /^(ENTRYPOINT|CMD) .*npm/m);
  assert.match(finalStage, /DATA_DIR=\/tmp\/data/);
  // The service binds metrics to loopback by default; in a container Prometheus scrapes from elsewhere (compose).
  assert.match(finalStage, /METRICS_HOST=0\.0\.0\.0/);
});

test('OCI labels come from build arguments, and the commit reaches the service', () => {
  for (const [label, arg] of [
    ['source', 'SOURCE_URL'],
    ['revision', 'GIT_COMMIT'],
    ['version', 'APP_VERSION'],
    ['created', 'BUILD_DATE'],
  ]) {
    assert.match(finalStage, new RegExp(`org\\.opencontainers\\.image\\.${label}=\\$${arg}\\b`));
  }
  assert.match(finalStage, /GIT_COMMIT=\$GIT_COMMIT/);
});

test('the template stage copies every module the template maker runs (a stage of its own, so it reads only those)', async () => {
  const graph = await importGraph(['app/src']);
  // What node loads when it runs the maker from app/src: value imports (it strips type-only ones).
  const reached = new Set<string>();
  const todo = ['app/src/db/make-pglite-template.ts'];
  for (let file = todo.pop(); file !== undefined; file = todo.pop()) {
    if (reached.has(file)) continue;
    reached.add(file);
    const module = graph.modules.find((m) => m.source === file);
    for (const d of module?.dependencies ?? []) {
      if (d.resolved.startsWith('app/src/') && !d.dependencyTypes.includes('type-only')) todo.push(d.resolved);
    }
  }
  assert.ok(reached.has('app/src/db/pglite.ts'), [...reached].join(', '));
  const start = dockerfile.indexOf(' AS template\n');
  const copied = contextSourcesOf(dockerfile.slice(start, dockerfile.indexOf('\nFROM ', start)));
  for (const file of reached) {
    assert.ok(
      copied.some((c) => file === c || file.startsWith(`${c}/`)),
      `${file}: not copied into the template stage`,
    );
  }
});
