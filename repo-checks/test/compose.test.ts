// compose.yaml: valid compose-spec, the app service hardened like the ECS task, secrets only from .env.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { composeSpecSchema, hardeningProblems, validateCompose } from '../src/compose.ts';
import { parseYaml, readRepoFile } from '../src/repo.ts';

const text = readRepoFile('compose.yaml');
const compose = parseYaml(text) as {
  services: Record<string, Record<string, unknown>>;
  volumes?: Record<string, unknown>;
};

describe('compose.yaml', () => {
  test('the schema is the official compose-spec one', () => {
    const schema = composeSpecSchema();
    assert.equal(schema.title, 'Compose Specification');
    assert.ok((schema.definitions as Record<string, unknown>).service, 'no service definition in the schema');
  });

  test('is valid against the compose-spec JSON schema', () => {
    assert.deepEqual(validateCompose(compose), []);
  });

  test('the app service is hardened: read_only, cap_drop ALL, tmpfs /tmp, non-root, no-new-privileges, waits for postgres', () => {
    assert.deepEqual(hardeningProblems(compose), []);
  });

  test('the app is built from app/Dockerfile with the repository root as context', () => {
    assert.deepEqual(compose.services.app?.build, { context: '.', dockerfile: 'app/Dockerfile' });
  });

  test('postgres: official image pinned to a major version, health-checked, data on a named volume', () => {
    const pg = compose.services.postgres ?? {};
    assert.match(String(pg.image), /^postgres:\d+(-[a-z]+)?$/);
    assert.ok(pg.healthcheck, 'postgres has no healthcheck');
    const [volume] = String((pg.volumes as string[] | undefined)?.[0]).split(':');
    assert.ok(volume && compose.volumes && volume in compose.volumes, `volume ${volume} is not a named volume`);
  });

  test('the password comes only from the environment (.env), required, never written in the file', () => {
    const pg = compose.services.postgres ?? {};
    const env = pg.environment as Record<string, string>;
    assert.match(env.POSTGRES_PASSWORD ?? '', /^\$\{POSTGRES_PASSWORD:\?[^}]+\}$/);
    const appEnv = (compose.services.app?.environment ?? {}) as Record<string, string>;
    const url = appEnv.DATABASE_URL ?? '';
    assert.match(url, /^postgres:\/\/nodeapp:\$\{POSTGRES_PASSWORD:\?[^}]+\}@postgres:5432\/nodeapp$/);
    const example = readRepoFile('.env.example');
    assert.match(example, /^POSTGRES_PASSWORD=/m);
    assert.match(readRepoFile('.gitignore'), /^\.env$/m);
  });
  test('every variable compose.yaml reads is documented in .env.example', () => {
    const used = new Set([...text.matchAll(/\$\{([A-Z0-9_]+)/g)].map((m) => m[1]));
    const documented = new Set([...readRepoFile('.env.example').matchAll(/^([A-Z0-9_]+)=/gm)].map((m) => m[1]));
    assert.deepEqual(
      [...used].filter((v) => !documented.has(v)),
      [],
    );
    assert.ok(used.size >= 3, `found only ${used.size} variables`);
  });
});

describe('the compose checks reject bad files', () => {
  test('a schema violation is reported with its path', () => {
    const problems = validateCompose({ services: { app: { image: 'x', cap_drop: 'ALL', restart_policy: 1 } } });
    assert.ok(
      problems.some((p) => p.startsWith('/services/app/cap_drop must be array')),
      problems.join('\n'),
    );
    assert.ok(
      problems.some((p) => p.includes('restart_policy')),
      problems.join('\n'),
    );
  });

  test('each missing hardening setting is named', () => {
    const weak = structuredClone(compose);
    const app = weak.services.app ?? {};
    app.read_only = false;
    app.cap_drop = ['NET_RAW'];
    app.tmpfs = ['/run'];
    app.user = '0';
    app.security_opt = [];
    app.depends_on = ['postgres'];
    assert.deepEqual(hardeningProblems(weak), [
      'read_only must be true',
      'cap_drop must include ALL',
      'tmpfs must mount /tmp',
      'user must be a numeric non-root uid',
      'security_opt must set no-new-privileges',
      'depends_on postgres must wait for service_healthy',
    ]);
  });
});
