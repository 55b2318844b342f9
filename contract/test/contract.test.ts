import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ContractError, loadServiceContract, REPO_ROOT } from '../src/index.ts';

/** A throwaway repository root holding one service folder `svc` with the given contract. */
function repoWith(contract: unknown): string {
  const root = mkdtempSync(join(tmpdir(), 'contract-'));
  cpSync(join(REPO_ROOT, 'contract'), join(root, 'contract'), {
    recursive: true,
    filter: (p) => !p.includes('node_modules'),
  });
  cpSync(join(REPO_ROOT, 'app', 'Dockerfile'), join(root, 'svc', 'Dockerfile'));
  writeFileSync(join(root, 'svc', 'service.json'), JSON.stringify(contract));
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(root, 'node_modules'));
  return root;
}
const roots: string[] = [];
after(() => {
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});
function problemsOf(contract: unknown): readonly string[] {
  const root = repoWith(contract);
  roots.push(root);
  try {
    loadServiceContract('svc', root);
  } catch (error) {
    assert.ok(error instanceof ContractError, String(error));
    return error.problems;
  }
  return [];
}
const minimal = {
  name: 'svc',
  image: { dockerfile: 'svc/Dockerfile' },
  port: 8080,
  health: { readiness: '/healthz' },
  publicPaths: [],
  smokeTests: [{ path: '/healthz' }],
};

describe('service contract', () => {
  it("reads the guestbook's contract with its defaults applied", () => {
    const c = loadServiceContract('app');
    assert.equal(c.name, 'app');
    assert.equal(c.port, 3000);
    assert.equal(c.metrics?.port, 9464);
    assert.equal(c.health.readiness, '/health/ready');
    assert.deepEqual(c.smokeTests[0], {
      path: '/health/ready',
      contentType: 'application/json',
      method: 'GET',
      status: 200,
      edgeOnly: false,
    });
  });

  it('fills the defaults of a minimal contract', () => {
    const root = repoWith(minimal);
    roots.push(root);
    const c = loadServiceContract('svc', root);
    assert.equal(c.image.context, '.');
    assert.equal(c.health.liveness, '/healthz');
    assert.equal(c.stopTimeoutSeconds, 30);
    assert.equal(c.drainSeconds, 20);
    assert.equal(c.maxBodyBytes, 16384);
    assert.equal(c.metrics, undefined);
    assert.equal(c.database, undefined);
    assert.deepEqual(c.secrets, {});
  });

  it('names every bad field, one line each', () => {
    const problems = problemsOf({ ...minimal, port: 80, health: {}, colour: 'blue', smokeTests: [{ path: 'x' }] });
    assert.deepEqual([...problems].sort(), [
      'colour: unknown field',
      'health.readiness: required',
      'port: must be >= 1024',
      'smokeTests.0.path: must match pattern "^/"',
    ]);
  });

  it('refuses what the schema cannot see: missing files, clashing ports, platform variables', () => {
    const problems = problemsOf({
      ...minimal,
      image: { dockerfile: 'svc/Nope' },
      metrics: { port: 8080 },
      environment: { PORT: '1', SAME: 'x', LOG_LEVEL: 'debug' },
      secrets: { SAME: { generate: {} } },
    });
    assert.deepEqual(problems, [
      'image.dockerfile: svc/Nope not found',
      'metrics.port: must differ from port',
      'environment.PORT: set by the platform, remove it',
      'environment.LOG_LEVEL: set by the platform, remove it',
      'environment.SAME: also a secret, keep one',
    ]);
  });

  it('takes a secret description and a body limit up to what the edge inspects', () => {
    const secrets = { TOKEN: { generate: {}, description: 'what it is for' }, KEY: { secretsManager: 'k' } };
    assert.deepEqual(problemsOf({ ...minimal, secrets, maxBodyBytes: 1024 }), []);
    assert.deepEqual(problemsOf({ ...minimal, maxBodyBytes: 16385 }), ['maxBodyBytes: must be <= 16384']);
  });

  it('refuses a missing file, bad JSON and a folder outside the repository', () => {
    const root = repoWith(minimal);
    roots.push(root);
    assert.throws(() => loadServiceContract('nope', root), /service\.json: not found in nope\//);
    writeFileSync(join(root, 'svc', 'service.json'), '{');
    assert.throws(() => loadServiceContract('svc', root), /not valid JSON/);
    assert.throws(() => loadServiceContract('../etc', root), /not a folder name below the repository root/);
  });

  it('the CLI prints a field, and exits 1 naming the field of a bad contract', () => {
    const cli = join(REPO_ROOT, 'contract', 'bin', 'contract.ts');
    const ok = spawnSync(process.execPath, [cli, 'get', 'metrics.port'], { encoding: 'utf8' });
    assert.equal(ok.status, 0, ok.stderr);
    assert.equal(ok.stdout.trim(), '9464');
    const root = repoWith({ ...minimal, port: 'x' });
    roots.push(root);
    const bad = spawnSync(
      process.execPath,
      [join(root, 'contract', 'bin', 'contract.ts'), '--service', 'svc', 'check'],
      {
        encoding: 'utf8',
      },
    );
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /port: must be integer/);
    assert.doesNotMatch(bad.stderr, /at .*\.ts:\d+/);
    const help = spawnSync(process.execPath, [cli, '--help'], { encoding: 'utf8' });
    assert.equal(help.status, 0);
    assert.match(help.stdout, /usage:/);
  });

  it('the schema documents every field it declares', () => {
    const schema = JSON.parse(readFileSync(join(REPO_ROOT, 'contract', 'service.schema.json'), 'utf8'));
    const undocumented: string[] = [];
    const walk = (node: Record<string, unknown>, at: string) => {
      const props = (node.properties ?? {}) as Record<string, Record<string, unknown>>;
      for (const [key, child] of Object.entries(props)) {
        if (key !== '$schema' && typeof child.description !== 'string' && typeof child.$ref !== 'string')
          undocumented.push(`${at}${key}`);
        walk(child, `${at}${key}.`);
      }
    };
    walk(schema, '');
    for (const [name, def] of Object.entries(schema.definitions as Record<string, Record<string, unknown>>))
      walk(def, `definitions.${name}.`);
    assert.deepEqual(undocumented, []);
  });
});
