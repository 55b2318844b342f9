// The README's cost line is what `npm run cost` prints today: each environment's monthly estimate and its cost per
// million API requests, at the default usage assumptions. A change to infra/config or the prices that moves an
// estimate fails here until the README says the new figure.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';

const CLI = new URL('../src/cli.ts', import.meta.url).pathname;
const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
// Without the caller's COST_* overrides: the README states the defaults.
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('COST_')));

const usd = (n: number) => `$${n.toFixed(2)}`;

describe('README.md: the cost figures', () => {
  const result = spawnSync(process.execPath, [CLI, '--json'], { encoding: 'utf8', env, maxBuffer: 64 * 1024 * 1024 });
  it('npm run cost --json runs', () => assert.equal(result.status, 0, result.stderr));
  const { estimates, perMillion } = JSON.parse(result.stdout || '{"estimates":[],"perMillion":[]}') as {
    estimates: { env: string; total: number }[];
    perMillion: { env: string; total: number }[];
  };

  it("states every environment's monthly estimate", () => {
    assert.ok(estimates.length >= 4);
    const stated = estimates.map((e) => `${e.env} ${usd(e.total)}`).join(', ');
    assert.ok(readme.includes(`**${stated}**`), `README.md should say **${stated}**`);
  });

  it("states every environment's cost per million API requests", () => {
    assert.ok(perMillion.length >= 3);
    const stated = perMillion.map((p) => `${p.env}\n?\\s*${usd(p.total).replace('$', '\\$')}`);
    for (const [i, p] of perMillion.entries()) {
      assert.match(
        readme,
        new RegExp(`per million API requests:[^*]*${stated[i]}`),
        `README.md: ${p.env} ${usd(p.total)}`,
      );
    }
  });
});
