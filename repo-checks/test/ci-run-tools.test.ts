// Every program .ci/run needs in GitHub's test job is either in that job's image or installed by .ci/run itself
// (.ci/test-job-image.json lists both, with the image's sources): a tool the job's container lacks fails here,
// not on the first push.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseYaml, readRepoFile, repoRoot } from '../src/repo.ts';
import { BASH_BUILTINS, type CommandUse, npmBins, type ScriptScan, scanScript } from '../src/shell-commands.ts';

interface ImageList {
  image: string;
  sources: string[];
  provides: { package: string; from: string; commands: string[] }[];
  installedByCiRun: { debianPackages: Record<string, string[]>; pipx: Record<string, string[]> };
}
const list = JSON.parse(readRepoFile('.ci/test-job-image.json')) as ImageList;
const workflow = parseYaml(readRepoFile('.github/workflows/cicdaws-workflow.yml')) as {
  jobs: Record<string, { container?: { image: string }; env?: Record<string, string>; steps: { run?: string }[] }>;
};
const testJob = workflow.jobs.test;
const jobEnv = Object.fromEntries(Object.entries(testJob?.env ?? {}).map(([k, v]) => [k, String(v)]));
const packageScripts = (JSON.parse(readRepoFile('package.json')) as { scripts: Record<string, string> }).scripts;

/** The programs `scan` runs that neither the image nor what the scanned scripts install provide. */
function missingPrograms(scan: ScriptScan, bins: Set<string>): string[] {
  const provided = new Set(list.provides.flatMap((p) => p.commands));
  const installs = list.installedByCiRun;
  for (const [pkg, commands] of Object.entries(installs.debianPackages)) {
    if (scan.aptPackages.has(pkg)) for (const c of commands) provided.add(c);
  }
  for (const [pkg, commands] of Object.entries(installs.pipx)) {
    if (scan.pipxPackages.has(pkg)) for (const c of commands) provided.add(c);
  }
  const missing = new Map<string, string>();
  for (const { command, at } of scan.commands) {
    if (BASH_BUILTINS.has(command) || scan.functions.has(command) || provided.has(command)) continue;
    // package.json scripts run with node_modules/.bin on PATH (npm ci ran first).
    if (at.startsWith('package.json#') && bins.has(command)) continue;
    if (!missing.has(command)) missing.set(command, at);
  }
  return [...missing].map(([command, at]) => `${command} (${at})`);
}

test('the list describes the test job: its image, with a source for every provided command', () => {
  assert.equal(testJob?.container?.image, list.image);
  assert.ok(
    testJob?.steps.some((s) => /\bbash \.ci\/run\b/.test(s.run ?? '')),
    'the test job runs .ci/run',
  );
  assert.equal(jobEnv.CI, 'true');
  assert.ok(list.sources.every((s) => /^https:\/\//.test(s)));
  for (const p of list.provides) assert.ok(p.from && p.commands.length > 0, `${p.package}: where from, which commands`);
});

test('every program .ci/run needs under the test job’s environment is in its image or installed by .ci/run', async () => {
  const scan = await scanScript(repoRoot, '.ci/run', jobEnv, packageScripts);
  // The parser really followed what .ci/run runs and sources (and `npm test`'s script).
  for (const f of [
    '.ci/lib.sh',
    '.ci/node24.sh',
    '.ci/postgres.sh',
    'scripts/cfn-lint.sh',
    '.ci/with-test-postgres.sh',
  ]) {
    assert.ok(scan.files.includes(f), `${f} scanned (got ${scan.files.join(', ')})`);
  }
  assert.ok(scan.commands.some((c) => c.command === 'cfn-lint' && c.at.startsWith('scripts/cfn-lint.sh')));
  assert.deepEqual(missingPrograms(scan, npmBins(repoRoot)), []);
  // Every package the list says .ci/run installs, it does install.
  for (const pkg of Object.keys(list.installedByCiRun.debianPackages)) assert.ok(scan.aptPackages.has(pkg), pkg);
  for (const pkg of Object.keys(list.installedByCiRun.pipx)) assert.ok(scan.pipxPackages.has(pkg), pkg);
});

/** The external programs the workspaces' tests require by name: the literal names given to requireTools and hasCommand. */
function programsTestsRequire(): CommandUse[] {
  const uses: CommandUse[] = [];
  for (const workspace of ['app', 'contract', 'cost', 'infra', 'monitoring', 'repo-checks', 'test-support']) {
    const dir = join(repoRoot, workspace, 'test');
    if (!existsSync(dir)) continue;
    for (const file of readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'))) {
      const text = readFileSync(join(dir, file), 'utf8');
      const at = `${workspace}/test/${file}`;
      for (const m of text.matchAll(/requireTools\(\w+, \[([^\]]*)\]\)/g)) {
        for (const name of m[1]?.matchAll(/'([\w.-]+)'/g) ?? []) uses.push({ command: name[1] ?? '', at });
      }
      for (const m of text.matchAll(/hasCommand\('([\w.-]+)'\)/g)) uses.push({ command: m[1] ?? '', at });
    }
  }
  return uses;
}

test('every program a test requires by name is in the job’s image or installed by .ci/run (tests fail under CI=true without it)', async () => {
  const scan = await scanScript(repoRoot, '.ci/run', jobEnv, packageScripts);
  const required = programsTestsRequire();
  for (const name of ['promtool', 'amtool', 'jq'])
    assert.ok(
      required.some((u) => u.command === name),
      name,
    );
  assert.deepEqual(missingPrograms({ ...scan, commands: required }, new Set()), []);
});

test('cfn-lint: .ci/run pins the version the workflow’s synth job installs', () => {
  const ciRun = readRepoFile('.ci/run');
  const pinned = /^CFN_LINT_VERSION=(\S+)$/m.exec(ciRun)?.[1];
  assert.match(pinned ?? '', /^1\.51\.\d+$/);
  const synth = workflow.jobs.synth?.steps.map((s) => s.run ?? '').join('\n') ?? '';
  assert.match(synth, new RegExp(`pipx install cfn-lint==${pinned?.replaceAll('.', '\\.')}\\b`));
});

test('a program that nothing installs is reported, with where it runs; a guard that ends the script early is honoured', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ci-tools-'));
  try {
    writeFileSync(
      join(dir, 'run'),
      'set -e\nhere=$(dirname "$0")\nsource "$here/lib.sh"\nlint_all\nbash sub.sh\n"$bin/cfn-lint" --version\n',
    );
    writeFileSync(join(dir, 'lib.sh'), 'lint_all() { shellcheck *.sh; }\n');
    writeFileSync(
      join(dir, 'sub.sh'),
      // biome-ignore lint/suspicious/noTemplateCurlyInString: shell text
      'if [ "${SKIP_IT:-}" = true ]; then\n  echo skipped\n  exit 0\nfi\nterraform plan\n',
    );
    const scan = await scanScript(dir, 'run', {});
    assert.deepEqual(missingPrograms(scan, new Set()), [
      'shellcheck (lib.sh:1)',
      'terraform (sub.sh:5)',
      'cfn-lint (run:6)',
    ]);
    const skipped = await scanScript(dir, 'run', { SKIP_IT: 'true' });
    assert.deepEqual(missingPrograms(skipped, new Set()), ['shellcheck (lib.sh:1)', 'cfn-lint (run:6)']);
    // Installed by the script itself: no longer missing.
    writeFileSync(
      join(dir, 'run'),
      `${readFileSync(join(dir, 'run'), 'utf8')}apt-get install -y pipx\npipx install "cfn-lint==1.51.0"\n`,
    );
    const installed = await scanScript(dir, 'run', { SKIP_IT: 'true' });
    assert.deepEqual(missingPrograms(installed, new Set()), ['shellcheck (lib.sh:1)']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
