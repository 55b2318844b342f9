// .ci/container-smoke.sh (the container step of .ci/run) on a plain clone: which engine it picks, and that it skips
// with the reason outside CI and fails under CI=true when there is none. The clone is a temp copy of .ci/ with a
// stub scripts/container-smoke.sh (and the real scripts/lib/offline-engine.sh); engines are stub commands on a PATH that holds nothing else.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { repoRoot } from '../src/repo.ts';

const roots: string[] = [];
after(() => {
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});

interface Setup {
  shared?: boolean;
  /** stub engines: `ok` answers `info`, `down` fails it (e.g. a docker CLI without its daemon) */
  docker?: 'ok' | 'down';
  podman?: 'ok' | 'down';
  env?: Record<string, string>;
}

function runStep(setup: Setup) {
  const root = mkdtempSync(join(tmpdir(), 'nodeapp-ci-engine-'));
  roots.push(root);
  const clone = join(root, 'clone');
  mkdirSync(join(clone, 'scripts', 'lib'), { recursive: true });
  cpSync(join(repoRoot, '.ci'), join(clone, '.ci'), { recursive: true });
  cpSync(join(repoRoot, 'scripts', 'lib', 'offline-engine.sh'), join(clone, 'scripts', 'lib', 'offline-engine.sh'));
  writeFileSync(
    join(clone, 'scripts', 'container-smoke.sh'),
    // biome-ignore lint/suspicious/noTemplateCurlyInString: shell syntax in a shell script
    'echo "SMOKE engine=$CONTAINER_ENGINE conf=${CONTAINERS_CONF:-} $*"\n',
  );
  if (setup.shared) {
    mkdirSync(join(root, 'shared', 'tools'), { recursive: true });
    writeFileSync(
      join(root, 'shared', 'tools', 'offline-container-engine.sh'),
      'export CONTAINERS_CONF=/offline.conf\n',
    );
  }
  const bin = join(root, 'bin');
  mkdirSync(bin);
  for (const tool of ['bash', 'dirname', 'cat']) symlinkSync(`/bin/${tool}`, join(bin, tool));
  for (const engine of ['docker', 'podman'] as const) {
    const state = setup[engine];
    if (!state) continue;
    writeFileSync(join(bin, engine), `#!/bin/bash\n[ "$1" = info ] && exit ${state === 'ok' ? 0 : 1}\nexit 0\n`);
    chmodSync(join(bin, engine), 0o755);
  }
  const r = spawnSync('/bin/bash', [join(clone, '.ci', 'container-smoke.sh')], {
    encoding: 'utf8',
    env: { PATH: bin, ...setup.env },
  });
  return { code: r.status, out: r.stdout + r.stderr, clone };
}

test('../shared/tools beside the clone wins: podman prepared by the offline tool', () => {
  const r = runStep({ shared: true, docker: 'ok', podman: 'ok' });
  assert.equal(r.code, 0, r.out);
  assert.match(r.out, /SMOKE engine=podman conf=\/offline\.conf/);
});

test('NODEAPP_OFFLINE_ENGINE names the offline tool elsewhere; a name that does not exist falls back to Docker', () => {
  const tool = join(mkdtempSync(join(tmpdir(), 'nodeapp-offline-tool-')), 'engine.sh');
  roots.push(join(tool, '..'));
  writeFileSync(tool, 'export CONTAINERS_CONF=/elsewhere.conf\n');
  const named = runStep({ docker: 'ok', env: { NODEAPP_OFFLINE_ENGINE: tool } });
  assert.equal(named.code, 0, named.out);
  assert.match(named.out, /SMOKE engine=podman conf=\/elsewhere\.conf/);
  const missing = runStep({ docker: 'ok', env: { NODEAPP_OFFLINE_ENGINE: `${tool}.absent` } });
  assert.match(missing.out, /SMOKE engine=docker/);
});

test('no ../shared: a Docker whose daemon answers', () => {
  const r = runStep({ docker: 'ok', podman: 'ok' });
  assert.equal(r.code, 0, r.out);
  assert.match(r.out, /container engine: docker/);
  assert.match(r.out, /SMOKE engine=docker/);
  // The second service the platform deploys, from its contract, on the same engine.
  assert.match(r.out, /SMOKE engine=docker conf= --service examples\/hello-express/);
});

test('no ../shared, Docker CLI without a daemon: Podman from PATH, without systemd through the repository config', () => {
  const r = runStep({ docker: 'down', podman: 'ok' });
  assert.equal(r.code, 0, r.out);
  assert.match(r.out, /SMOKE engine=podman/);
  // Only on a host without systemd (CI containers, this machine): podman's own check is /run/systemd/system.
  if (!existsSync('/run/systemd/system')) {
    assert.match(r.out, new RegExp(`conf=${r.clone}/\\.ci/podman-without-systemd\\.conf`));
    const conf = readFileSync(join(repoRoot, '.ci', 'podman-without-systemd.conf'), 'utf8');
    assert.match(conf, /^cgroup_manager = "cgroupfs"$/m);
    assert.match(conf, /^events_logger = "file"$/m);
  }
});

test('a CONTAINERS_CONF the caller gives is kept', () => {
  const r = runStep({ podman: 'ok', env: { CONTAINERS_CONF: '/mine.conf' } });
  assert.match(r.out, /SMOKE engine=podman conf=\/mine\.conf/);
});

test('no engine at all: skipped with how to get one (exit 0)', () => {
  const r = runStep({ docker: 'down', podman: 'down' });
  assert.equal(r.code, 0, r.out);
  assert.doesNotMatch(r.out, /SMOKE engine/);
  assert.match(r.out, /container smoke test skipped: no container engine .*; to run it: install Docker .* or Podman/);
});

test('no engine under CI=true: fails naming what CI must provide', () => {
  const r = runStep({ env: { CI: 'true' } });
  assert.equal(r.code, 1, r.out);
  assert.doesNotMatch(r.out, /SMOKE engine/);
  assert.match(r.out, /container smoke test FAILED: no container engine/);
});

test('NODEAPP_SKIP_CONTAINER_SMOKE=true (GitHub test job) skips even under CI=true and with an engine', () => {
  const r = runStep({ docker: 'ok', env: { CI: 'true', NODEAPP_SKIP_CONTAINER_SMOKE: 'true' } });
  assert.equal(r.code, 0, r.out);
  assert.doesNotMatch(r.out, /SMOKE engine/);
  assert.match(r.out, /skipped: NODEAPP_SKIP_CONTAINER_SMOKE=true/);
});

test('.ci/run runs the container step through .ci/container-smoke.sh, never ../shared directly', () => {
  const run = readFileSync(join(repoRoot, '.ci', 'run'), 'utf8');
  assert.match(run, /^bash \.ci\/container-smoke\.sh$/m);
  assert.doesNotMatch(run.replace(/^#.*$/gm, ''), /\.\.\/shared/);
});
