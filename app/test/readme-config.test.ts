// The root README's configuration table is the service's configuration schema (src/config.ts), row for row:
// the same variables, and every documented default is what the service uses when the variable is unset.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { configVariables, loadConfig } from '../src/config.ts';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

/** Rows of the table between the README's configuration section markers: name → documented default. */
function documentedVariables(): Map<string, string> {
  const section = /<!-- section:configuration -->([\s\S]*?)<!-- \/section:configuration -->/.exec(readme)?.[1];
  assert.ok(section, 'README.md has no <!-- section:configuration --> … <!-- /section:configuration --> block');
  const rows = new Map<string, string>();
  for (const line of section.split('\n')) {
    const cells = /^\|\s*`([A-Z0-9_]+)`\s*\|\s*(.*?)\s*\|/.exec(line);
    if (!cells) continue;
    const [, name = '', rawDefault = ''] = cells;
    assert.ok(!rows.has(name), `${name} is documented twice`);
    rows.set(name, rawDefault.replace(/^`(.*)`$/, '$1'));
  }
  return rows;
}

const NO_DEFAULT = '—';

test('the README documents exactly the variables the service reads', () => {
  const documented = [...documentedVariables().keys()].sort();
  assert.deepEqual(documented, [...configVariables].sort());
});

test('every documented default is the value the service takes when the variable is unset', () => {
  const unset = loadConfig({});
  for (const [name, documentedDefault] of documentedVariables()) {
    if (documentedDefault === NO_DEFAULT) continue;
    assert.deepEqual(
      loadConfig({ [name]: documentedDefault }),
      unset,
      `${name}: README says default ${documentedDefault}`,
    );
  }
});
