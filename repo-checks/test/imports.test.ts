// Dependencies point one way (no import cycles, type-only ones included), and a workspace imports another only
// through its package name, declared in the importer's package.json and exported by the imported one
// (STYLE.md items 1–2; repo-checks/src/imports.ts reads the graph with dependency-cruiser).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cycles, importGraph, undeclaredCrossWorkspaceImports } from '../src/imports.ts';

const graph = await importGraph();

test('the graph covers every workspace', () => {
  const folders = new Set(graph.modules.map((m) => m.source.split('/')[0]));
  for (const folder of ['app', 'contract', 'infra', 'cost', 'monitoring', 'repo-checks', 'test-support']) {
    assert.ok(folders.has(folder), `no module of ${folder}/ in the graph`);
  }
  const routes = graph.modules.find((m) => m.source === 'app/src/routes/index.ts');
  assert.ok(
    routes?.dependencies.some((d) => d.resolved === 'app/src/routes/types.ts'),
    'type-only imports are edges',
  );
});

test('no import cycles', () => {
  assert.deepEqual(cycles(graph), []);
});

test('cross-workspace imports go through a declared package name', () => {
  assert.deepEqual(undeclaredCrossWorkspaceImports(graph), []);
});
