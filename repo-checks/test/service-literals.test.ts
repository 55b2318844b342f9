// The platform reads the service from its contract: none of the guestbook's own facts (its ports, paths, health
// and migration commands, secret and variable names, static folder, Dockerfile) is written into infra/lib,
// monitoring/src or scripts/. The literals are taken from app/service.json itself, so a fact added there is checked
// too. Each allowed exception names why.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { readRepoFile, repoRoot } from '../src/repo.ts';

interface GuestbookContract {
  port: number;
  health: { readiness: string; liveness?: string; command?: string[] };
  metrics?: { port: number };
  publicPaths: string[];
  staticSite?: string;
  image: { dockerfile: string };
  environment?: Record<string, string>;
  secrets?: Record<string, unknown>;
  database?: { migrate?: string[] };
  smokeTests: { path: string }[];
}
const contract = JSON.parse(readRepoFile('app/service.json')) as GuestbookContract;

/** Lines that hold a guestbook-looking literal for another reason. */
const ALLOWED: { file: string; line: RegExp; why: string }[] = [
  {
    file: 'infra/lib/constructs/monitoring-grafana.ts',
    line: /^export const GRAFANA_PORT = 3000;$/,
    why: "Grafana's own port, which happens to equal the guestbook's",
  },
];

function literals(): { name: string; pattern: RegExp }[] {
  const exact = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const found: { name: string; pattern: RegExp }[] = [{ name: 'the word guestbook', pattern: /guestbook/i }];
  for (const port of [contract.port, contract.metrics?.port]) {
    if (port !== undefined) found.push({ name: `port ${port}`, pattern: new RegExp(`\\b${port}\\b`) });
  }
  const paths = [
    contract.health.readiness,
    contract.health.liveness,
    ...contract.publicPaths,
    ...contract.smokeTests.map((t) => t.path).filter((p) => p !== '/'),
    contract.staticSite,
    contract.image.dockerfile,
    ...(contract.health.command ?? []).filter((a) => a.includes('/')),
    ...(contract.database?.migrate ?? []).filter((a) => a.includes('/')),
  ];
  for (const path of paths) if (path) found.push({ name: path, pattern: new RegExp(exact(path)) });
  // HOST is left out: a generic convention the smoke test uses to bind a service to loopback.
  const names = [...Object.keys(contract.environment ?? {}), ...Object.keys(contract.secrets ?? {})];
  for (const name of names.filter((n) => n !== 'HOST')) {
    found.push({ name, pattern: new RegExp(`\\b${name}\\b`) });
  }
  return found;
}

function filesUnder(folder: string): string[] {
  return readdirSync(join(repoRoot, folder)).flatMap((entry) => {
    const path = join(folder, entry);
    if (entry === 'node_modules') return [];
    return statSync(join(repoRoot, path)).isDirectory() ? filesUnder(path) : [path];
  });
}

test('no guestbook literal in infra/lib, monitoring/src or scripts/ (they read the contract)', () => {
  const checks = literals();
  assert.ok(checks.length >= 10, `few literals read from app/service.json: ${checks.map((c) => c.name)}`);
  const found: string[] = [];
  for (const file of ['infra/lib', 'monitoring/src', 'scripts'].flatMap(filesUnder)) {
    const lines = readFileSync(join(repoRoot, file), 'utf8').split('\n');
    lines.forEach((line, i) => {
      if (ALLOWED.some((a) => relative('.', file) === a.file && a.line.test(line.trim()))) return;
      for (const { name, pattern } of checks) {
        if (pattern.test(line)) found.push(`${file}:${i + 1}: ${name}: ${line.trim()}`);
      }
    });
  }
  assert.deepEqual(found, []);
});

test('the check finds a literal when one comes back', () => {
  const port = literals().find((l) => l.name === `port ${contract.port}`);
  assert.ok(port?.pattern.test(`containerPort: ${contract.port},`));
  assert.ok(!port?.pattern.test(`containerPort: ${contract.port}0,`));
  assert.ok(literals().some((l) => l.pattern.test(`path: '${contract.health.readiness}'`)));
});
