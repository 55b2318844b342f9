// .trivyignore.yaml: the scan step reads it, and every accepted finding has a reason and an expiry not yet reached.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseYaml, readRepoFile } from '../src/repo.ts';
import { MAX_IGNORE_DAYS, trivyIgnoreProblems } from '../src/trivyignore.ts';
import type { Workflow } from '../src/workflow-model.ts';

const today = new Date().toISOString().slice(0, 10);

test('.trivyignore.yaml: every entry has a reason and an expiry that has not passed', () => {
  assert.deepEqual(trivyIgnoreProblems(readRepoFile('.trivyignore.yaml'), today), []);
});

test('every Trivy scan in the workflows reads .trivyignore.yaml', () => {
  const workflow = parseYaml(readRepoFile('.github/workflows/cicdaws-workflow.yml')) as Workflow;
  const scans = Object.values(workflow.jobs)
    .flatMap((job) => job.steps ?? [])
    .filter((s) => s.uses?.startsWith('aquasecurity/trivy-action@'));
  assert.ok(scans.length > 0);
  for (const scan of scans) assert.equal(scan.with?.trivyignores, '.trivyignore.yaml', scan.name);
});

test('an expired, reason-less, undated or too distant entry is refused', () => {
  const file = `vulnerabilities:
  - id: CVE-2026-0001
    statement: Go stdlib in prom/prometheus v3.15.0; fixed in Go 1.26.4, no Prometheus release yet
    expired_at: 2026-06-01
  - id: CVE-2026-0002
    expired_at: 2026-06-01
  - id: CVE-2026-0003
    statement: Go stdlib in grafana/grafana 12.4.12; no fixed Grafana release yet
  - id: GHSA-aaaa-bbbb-cccc
    statement: Go stdlib in grafana/grafana 12.4.12; no fixed Grafana release yet
    expired_at: 2027-01-01
  - id: CVE-2026-0004
    statement: Go stdlib in grafana/grafana 12.4.12; no fixed Grafana release yet
    expired_at: 2026-05-31
    until: forever
oops: []
`;
  assert.deepEqual(trivyIgnoreProblems(file, '2026-05-31'), [
    'vulnerabilities[1] CVE-2026-0002: statement (the reason it is accepted, at least 20 characters) is required',
    'vulnerabilities[2] CVE-2026-0003: expired_at (YYYY-MM-DD) is required',
    `vulnerabilities[3] GHSA-aaaa-bbbb-cccc: expired_at 2027-01-01 is more than ${MAX_IGNORE_DAYS} days ahead`,
    'vulnerabilities[4] CVE-2026-0004: unknown key until',
    'vulnerabilities[4] CVE-2026-0004: expired on 2026-05-31: fix it, or renew it with a new reason',
    'oops: not a Trivy section (vulnerabilities, misconfigurations, secrets, licenses)',
  ]);
  // The first entry is fine until its day comes.
  assert.deepEqual(trivyIgnoreProblems(file.split('  - id: CVE-2026-0002')[0] ?? '', '2026-05-31'), []);
  assert.deepEqual(trivyIgnoreProblems(file.split('  - id: CVE-2026-0002')[0] ?? '', '2026-06-01'), [
    'vulnerabilities[0] CVE-2026-0001: expired on 2026-06-01: fix it, or renew it with a new reason',
  ]);
});
