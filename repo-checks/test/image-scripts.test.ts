// The plan, push and superseded-check scripts with stand-in `skopeo`, `buildah` and `gh` CLIs on PATH: re-runs are
// idempotent (a published :SHA is reused, never rebuilt or pushed again), a registry error never reads as
// "not published", and a production deploy of a commit that is no longer main's head stops itself.
// The same scripts run for real against Docker and a registry in scripts/image-rehearsal.sh (.ci/run).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { IMAGE_NAMES } from '@nodeapp/infra/config/images';
import { isLocalTag, localTag } from '@nodeapp/infra/lib/up/images';
import { skipUnless } from '@nodeapp/test-support';
import { hasCommand, jqRequirement, runScript } from '../src/run-script.ts';

const bin = mkdtempSync(join(tmpdir(), 'image-scripts-'));
const calls = join(bin, 'calls.log');
after(() => rmSync(bin, { recursive: true, force: true }));

/** A stand-in CLI: logs its arguments, then runs BODY (bash) with them. */
function fake(name: string, body: string) {
  writeFileSync(join(bin, name), `#!/bin/bash\necho "${name} $*" >> "${calls}"\n${body}\n`);
  chmodSync(join(bin, name), 0o755);
}
const sha = 'a'.repeat(40);
// skopeo inspect --raw: the app and prometheus lists exist (their bytes), the others are unknown, unless
// FAKE_SKOPEO_ERROR asks for a registry error.
fake(
  'skopeo',
  `if [ -n "$FAKE_SKOPEO_ERROR" ]; then echo "$FAKE_SKOPEO_ERROR" >&2; exit 1; fi
if [ -n "$FAKE_LOCAL_TAGS_ONLY" ]; then
  case "$*" in
    *":local-"*) printf '{"manifests":["local"]}' ;;
    *) echo 'reading manifest: manifest unknown' >&2; exit 1 ;;
  esac
  exit 0
fi
case "$*" in
  *"/nodeapp:${sha}"*) printf '{"manifests":["app"]}' ;;
  *"/nodeapp-prometheus:${sha}"*) printf '{"manifests":["prometheus"]}' ;;
  *) echo 'reading manifest ${sha}: manifest unknown' >&2; exit 1 ;;
esac`,
);
fake('buildah', 'exit 1');
const sha256 = (text: string) => `sha256:${createHash('sha256').update(text).digest('hex')}`;

function plan(env: Record<string, string>) {
  rmSync(calls, { force: true });
  return runScript('scripts/image-plan.sh', [], {
    PATH: `${bin}:${process.env.PATH}`,
    TAG: sha,
    REGISTRY: '123.dkr.ecr.eu-west-1.amazonaws.com',
    GITHUB_OUTPUT: '',
    ARM64_RUNNER: '',
    ...env,
  });
}
const field = (out: string, key: string) =>
  out
    .split('\n')
    .find((l) => l.startsWith(`${key}=`))
    ?.slice(key.length + 1);

describe('image-plan.sh', { skip: skipUnless(hasCommand('jq'), jqRequirement) }, () => {
  test('a re-run reuses what :SHA already holds and builds only the rest', async () => {
    const r = await plan({});
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(field(r.stdout, 'published') ?? ''), {
      app: sha256('{"manifests":["app"]}'),
      prometheus: sha256('{"manifests":["prometheus"]}'),
    });
    const legs = (JSON.parse(field(r.stdout, 'matrix') ?? '') as { include: { image: string; arch: string }[] })
      .include;
    // Every image the registry does not hold yet (all but app and prometheus), in images.ts order, on both arches.
    assert.deepEqual(
      legs.map((l) => `${l.image}-${l.arch}`),
      IMAGE_NAMES.filter((n) => n !== 'app' && n !== 'prometheus').flatMap((n) => [`${n}-amd64`, `${n}-arm64`]),
    );
    assert.ok(
      legs.some((l) => l.image === 'alertmanager'),
      'the unpublished images are planned',
    );
    assert.equal(field(r.stdout, 'build'), 'true');
    assert.match(r.stderr, /app: .*nodeapp:a{40} exists \(sha256:[0-9a-f]{64}\): reusing it, no build/);
  });

  test('a registry error (no permission, network) fails the plan instead of rebuilding', async () => {
    const r = await plan({ FAKE_SKOPEO_ERROR: 'denied: User is not authorized to perform: ecr:BatchGetImage' });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /ecr:BatchGetImage/);
    assert.match(r.stderr, /app: cannot read .*nodeapp:a{40}/);
  });

  test("images `npm run up` pushed under a local- tag are never taken for the commit's release", async () => {
    const local = localTag({ commit: sha, dirty: false }, new Date('2026-12-06T08:00:00Z'));
    assert.ok(isLocalTag(local) && local !== sha);
    const r = await plan({ FAKE_LOCAL_TAGS_ONLY: '1' });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(field(r.stdout, 'published'), '{}');
    assert.equal(field(r.stdout, 'build'), 'true');
    const looked = readFileSync(calls, 'utf8').trim().split('\n');
    assert.ok(looked.length > 0 && looked.every((l) => l.endsWith(`:${sha}`)), looked.join('; '));
  });

  test('without a registry (pull requests) every image is built', async () => {
    const r = await plan({ REGISTRY: '' });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(field(r.stdout, 'published'), '{}');
    assert.equal(
      (JSON.parse(field(r.stdout, 'matrix') ?? '') as { include: unknown[] }).include.length,
      IMAGE_NAMES.length * 2,
    );
  });
});

describe('push-images.sh', { skip: skipUnless(hasCommand('jq'), jqRequirement) }, () => {
  test('a re-run of a published commit pushes nothing and hands on the same digests', async () => {
    const published = Object.fromEntries(IMAGE_NAMES.map((n, i) => [n, `sha256:${String(i % 10).repeat(64)}`]));
    rmSync(calls, { force: true });
    writeFileSync(calls, '');
    const r = await runScript('scripts/push-images.sh', ['registry.example', sha, join(bin, 'no-archives')], {
      PATH: `${bin}:${process.env.PATH}`,
      PUBLISHED: JSON.stringify(published),
      GITHUB_OUTPUT: '',
    });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(field(r.stdout, 'digests') ?? ''), published);
    assert.equal(readFileSync(calls, 'utf8'), '', 'no skopeo or buildah call');
  });

  test('an image neither published nor built is an error naming its archive', async () => {
    const r = await runScript('scripts/push-images.sh', ['registry.example', sha, join(bin, 'no-archives')], {
      PATH: `${bin}:${process.env.PATH}`,
      PUBLISHED: '{}',
      GITHUB_OUTPUT: '',
    });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /app: no tested archive .*no-archives\/app-amd64\.tar/);
  });
});

describe('image-push.sh', { skip: skipUnless(hasCommand('jq'), jqRequirement) }, () => {
  // Stand-ins of its own: skopeo copies (writes the digest it was asked for) and serves the list; buildah refuses a
  // list name with capitals, as the real one does ("repository name must be lowercase").
  const pushBin = mkdtempSync(join(tmpdir(), 'image-push-'));
  const pushCalls = join(pushBin, 'calls.log');
  after(() => rmSync(pushBin, { recursive: true, force: true }));
  const digest = `sha256:${'a'.repeat(64)}`;
  const list = JSON.stringify({
    manifests: [{ digest, platform: { os: 'linux', architecture: 'amd64' } }],
  });
  const script = (name: string, body: string) => {
    writeFileSync(join(pushBin, name), `#!/bin/bash\necho "${name} $*" >> "${pushCalls}"\n${body}\n`);
    chmodSync(join(pushBin, name), 0o755);
  };
  script(
    'skopeo',
    [
      'case "$1" in',
      '  copy) while [ $# -gt 0 ]; do case $1 in --digestfile) f=$2; shift ;; docker://*@*) d=$(cut -d@ -f2 <<<"$1") ;; esac; shift; done',
      '    printf %s "$d" > "$f" ;;',
      // The tag exists once buildah pushed it in this test, or from an earlier attempt ($FAKE_EXISTING).
      `  inspect) if [ -n "$FAKE_EXISTING" ]; then printf %s "$FAKE_EXISTING"; elif [ -f "${pushBin}/pushed" ]; then printf %s "$FAKE_LIST"; else echo "manifest unknown" >&2; exit 1; fi ;;`,
      'esac',
    ].join('\n'),
  );
  script(
    'buildah',
    [
      'if [ "$1 $2" = "manifest create" ] && ! [[ $3 =~ ^[a-z0-9][a-z0-9._-]*$ ]]; then',
      '  echo "parsing name \\"$3\\": repository name must be lowercase" >&2; exit 125',
      'fi',
      'if [ "$1 $2" = "manifest push" ]; then',
      `  touch "${pushBin}/pushed"`,
      '  while [ $# -gt 0 ]; do [ "$1" = --digestfile ] && printf %s "$FAKE_LIST_DIGEST" > "$2"; shift; done',
      'fi',
    ].join('\n'),
  );
  const archive = join(pushBin, 'image.tar');
  writeFileSync(
    join(pushBin, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [{ mediaType: 'application/vnd.docker.distribution.manifest.v2+json', digest, size: 1 }],
    }),
  );
  execFileSync('tar', ['-cf', archive, '-C', pushBin, 'index.json']);
  // What image-load.sh records before the scan.
  const recordDigest = (path: string) =>
    writeFileSync(`${path}.sha256`, `${createHash('sha256').update(readFileSync(path)).digest('hex')}  image.tar\n`);
  recordDigest(archive);

  for (const name of IMAGE_NAMES) {
    test(`${name}: pushes the archive by digest, then a list under a valid local name, and prints its digest`, async () => {
      rmSync(pushCalls, { force: true });
      rmSync(join(pushBin, 'pushed'), { force: true });
      const r = await runScript('scripts/image-push.sh', [name, 'registry.example', sha, archive], {
        PATH: `${pushBin}:${process.env.PATH}`,
        FAKE_LIST: list,
        FAKE_LIST_DIGEST: sha256(list),
        GITHUB_OUTPUT: '',
      });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.trim().split('\n').at(-1), sha256(list));
      assert.match(readFileSync(pushCalls, 'utf8'), /^buildah manifest create [a-z0-9._-]+$/m);
    });
  }

  // "Re-run failed jobs": the push job runs again with the first attempt's plan, after :SHA was pushed.
  test('a re-run finds :SHA already naming the tested digests: prints its digest, pushes no list again', async () => {
    rmSync(pushCalls, { force: true });
    rmSync(join(pushBin, 'pushed'), { force: true });
    const r = await runScript('scripts/image-push.sh', ['app', 'registry.example', sha, archive], {
      PATH: `${pushBin}:${process.env.PATH}`,
      FAKE_EXISTING: list,
      GITHUB_OUTPUT: '',
    });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim().split('\n').at(-1), sha256(list));
    assert.match(r.stdout, /already names these digests .*: not pushed again/);
    assert.doesNotMatch(readFileSync(pushCalls, 'utf8'), /buildah manifest push/);
  });

  test('refuses when :SHA already names other images (a different build): tags are immutable', async () => {
    rmSync(join(pushBin, 'pushed'), { force: true });
    const other = JSON.stringify({ manifests: [{ digest: `sha256:${'e'.repeat(64)}` }] });
    const r = await runScript('scripts/image-push.sh', ['app', 'registry.example', sha, archive], {
      PATH: `${pushBin}:${process.env.PATH}`,
      FAKE_EXISTING: other,
      GITHUB_OUTPUT: '',
    });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /already names \[sha256:e{64}\], not the tested \[sha256:a{64}\]/);
  });

  test('an archive whose bytes changed since the scan, or without its recorded digest, is not pushed', async () => {
    const copy = mkdtempSync(join(tmpdir(), 'image-push-tampered-'));
    try {
      const tampered = join(copy, 'image.tar');
      writeFileSync(tampered, Buffer.concat([readFileSync(archive), Buffer.from('x')]));
      for (const [label, setup, message] of [
        [
          'changed',
          () => writeFileSync(`${tampered}.sha256`, readFileSync(`${archive}.sha256`)),
          /changed since it was scanned/,
        ],
        ['no digest', () => rmSync(`${tampered}.sha256`), /no .*image\.tar\.sha256/],
      ] as const) {
        setup();
        rmSync(pushCalls, { force: true });
        const r = await runScript('scripts/image-push.sh', ['app', 'registry.example', sha, tampered], {
          PATH: `${pushBin}:${process.env.PATH}`,
          FAKE_LIST: list,
          FAKE_LIST_DIGEST: sha256(list),
          GITHUB_OUTPUT: '',
        });
        assert.equal(r.code, 1, label);
        assert.match(r.stderr, message, label);
        assert.doesNotMatch(
          existsSync(pushCalls) ? readFileSync(pushCalls, 'utf8') : '',
          /skopeo copy/,
          'nothing pushed',
        );
      }
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });
});

describe('image-load.sh', { skip: skipUnless(hasCommand('jq'), jqRequirement) }, () => {
  test('records the archive sha256 (sha256sum format) before anything runs it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'image-load-'));
    try {
      const manifest = JSON.stringify({ config: { digest: `sha256:${'c'.repeat(64)}` } });
      const digest = sha256(manifest);
      mkdirSync(join(dir, 'blobs', 'sha256'), { recursive: true });
      writeFileSync(join(dir, 'blobs', 'sha256', digest.slice(7)), manifest);
      writeFileSync(join(dir, 'index.json'), JSON.stringify({ manifests: [{ digest }] }));
      writeFileSync(join(dir, 'manifest.json'), '[]');
      const archive = join(dir, 'app-amd64.tar');
      execFileSync('tar', ['-cf', archive, '-C', dir, 'index.json', 'manifest.json', 'blobs']);
      writeFileSync(
        join(dir, 'docker'),
        `#!/bin/bash\ncase "$1" in load) echo "Loaded image: app:ci" ;; image) echo "sha256:${'c'.repeat(64)}" ;; esac\n`,
      );
      chmodSync(join(dir, 'docker'), 0o755);
      const r = await runScript('scripts/image-load.sh', [archive, 'app:ci'], {
        PATH: `${dir}:${process.env.PATH}`,
        GITHUB_OUTPUT: '',
      });
      assert.equal(r.code, 0, r.stderr);
      const hex = createHash('sha256').update(readFileSync(archive)).digest('hex');
      assert.equal(readFileSync(`${archive}.sha256`, 'utf8'), `${hex}  app-amd64.tar\n`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('superseded-check.sh', () => {
  fake('gh', 'echo "$FAKE_HEAD"');
  const check = async (head: string, args: string[] = []) => {
    const output = join(bin, 'github-output');
    writeFileSync(output, '');
    const r = await runScript('scripts/superseded-check.sh', args, {
      PATH: `${bin}:${process.env.PATH}`,
      REPOSITORY: 'octo/nodeapp',
      DEPLOYING_SHA: sha,
      FAKE_HEAD: head,
      GITHUB_OUTPUT: output,
    });
    return { ...r, output: readFileSync(output, 'utf8') };
  };
  test('the head of main deploys', async () => {
    const r = await check(sha);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.output, 'superseded=false\n');
    assert.match(readFileSync(calls, 'utf8'), /gh api repos\/octo\/nodeapp\/branches\/main --jq \.commit\.sha/);
  });
  test('an older commit stops with a notice', async () => {
    const r = await check('b'.repeat(40));
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.output, 'superseded=true\n');
    assert.match(r.stdout, /::notice title=Production deploy superseded::main is now b{40}/);
  });
  // After the reviewers' approval, inside the production job: a superseded deploy is a failed job, never a
  // successful deployment record.
  test('with --fail (after approval) an older commit fails the job; the head still deploys', async () => {
    const r = await check('b'.repeat(40), ['--fail']);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /::error title=Production deploy superseded::main moved to b{40}/);
    const ok = await check(sha, ['--fail']);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(ok.output, 'superseded=false\n');
  });
  test('an unreadable head fails the job rather than deploying blind', async () => {
    const r = await check('');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /could not read the head of main/);
  });
});
