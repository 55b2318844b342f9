// The user docs read as docs and their commands work: every `npm run <script>` they show exists, every deploy example
// passes every image digest of infra/config/images.ts, no internal history (issue numbers, branch or session notes,
// commit hashes) outside docs/decisions/, no `@example.com` placeholder in code, and `.env.example` asks for the
// admin token length the service enforces.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { digestContextKey, IMAGE_NAMES } from '@nodeapp/infra/config/images';
import { SETTINGS } from '@nodeapp/infra/config/settings';
import type { CommandSpec } from '@nodeapp/infra/lib/cli-args';
import { BOOTSTRAP, PREFLIGHT } from '@nodeapp/infra/lib/commands';
import { DOWN } from '@nodeapp/infra/lib/up/down';
import { UP } from '@nodeapp/infra/lib/up/main';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const tracked = execFileSync('git', ['ls-files'], { cwd: ROOT, encoding: 'utf8' }).split('\n').filter(Boolean);
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');

/** README, docs/ (not the dated records: decisions, benchmark histories) and every workspace README. */
const USER_DOCS = tracked.filter(
  (f) =>
    (f === 'README.md' || /^docs\/.+\.md$/.test(f) || /^[a-z-]+\/README\.md$/.test(f)) &&
    !/^docs\/(decisions|benchmarks)\//.test(f),
);

function scripts(file: string): Record<string, string> {
  return JSON.parse(read(file)).scripts ?? {};
}

describe('user docs', () => {
  it('show only npm scripts that exist (root, or -w <workspace>)', () => {
    const problems: string[] = [];
    for (const doc of USER_DOCS) {
      for (const m of read(doc).matchAll(/npm run ([a-z][\w:-]*)(?:\s+-w ([a-z-]+))?/g)) {
        const [, script = '', workspace] = m;
        // A workspace README's commands run in that workspace (infra/README.md: "from infra/").
        const home = /^([a-z-]+)\/README\.md$/.exec(doc)?.[1];
        const files = workspace
          ? [`${workspace}/package.json`]
          : [...(home ? [`${home}/package.json`] : []), 'package.json'];
        if (!files.some((file) => tracked.includes(file) && script in scripts(file)))
          problems.push(`${doc}: npm run ${script}${workspace ? ` -w ${workspace}` : ''}`);
      }
    }
    assert.deepEqual(problems, []);
  });

  it('list every setting of infra/config/settings.ts in docs/deploy.md', () => {
    const deploy = read('docs/deploy.md');
    const variables = SETTINGS.flatMap((s) => s.variable.split(', ')).map((v) => v.replace('<ENV>', 'DEV'));
    assert.deepEqual(
      variables.filter((v) => !deploy.includes(`\`${v}\``)),
      [],
    );
  });

  it('give only the options each command has (npm run up, down, preflight, bootstrap)', () => {
    const specs: Record<string, CommandSpec> = { up: UP, down: DOWN, preflight: PREFLIGHT, bootstrap: BOOTSTRAP };
    const problems: string[] = [];
    for (const doc of USER_DOCS) {
      // The command and its options up to the end of its code span or line.
      for (const m of read(doc).matchAll(/npm run (up|down|preflight|bootstrap)(?: -w infra)? --([^`\n]*)/g)) {
        const spec = specs[m[1] ?? ''];
        // cdk bootstrap's own options pass through (`[cdk bootstrap options]`).
        for (const flag of (m[2] ?? '').matchAll(/(?:^|\s)--([a-z][a-z-]*)/g)) {
          const name = flag[1] ?? '';
          if (spec && !(name in spec.options) && name !== 'help') problems.push(`${doc}: npm run ${m[1]} --${name}`);
        }
      }
    }
    assert.deepEqual(problems, []);
  });

  it('pass every image digest of infra/config/images.ts in each deploy example', () => {
    const keys = IMAGE_NAMES.map(digestContextKey);
    const problems: string[] = [];
    for (const doc of USER_DOCS) {
      // A deploy example: `npm run deploy … -c env=…` up to the end of its paragraph or code block.
      for (const m of read(doc).matchAll(/npm run deploy(?: -w infra)? -- -c env=[\s\S]*?(?:\n\n|```|\n\|)/g)) {
        const missing = keys.filter((k) => !m[0].includes(`${k}=`));
        if (missing.length > 0 && /ImageDigest=/.test(m[0])) problems.push(`${doc}: lacks ${missing.join(', ')}`);
      }
    }
    assert.deepEqual(problems, []);
  });

  it('carry no internal history (decisions and their evidence live in docs/decisions/)', () => {
    const history = /\bissue \d+|\bthis (branch|session)\b|\bitem \d+\b|\bcommit [0-9a-f]{7,40}\b|\([0-9a-f]{7,40}\)/i;
    const problems = USER_DOCS.flatMap((doc) =>
      read(doc)
        .split('\n')
        .map((line, i) => ({ line, i }))
        .filter(({ line }) => history.test(line))
        .map(({ line, i }) => `${doc}:${i + 1}: ${line.trim().slice(0, 100)}`),
    );
    assert.deepEqual(problems, []);
  });
});

describe('placeholders', () => {
  it('no @example.com address in code (recipients are settings: infra/config/settings.ts)', () => {
    const code = tracked.filter(
      (f) => /\.(ts|js|mjs|cjs|sh|json|ya?ml)$/.test(f) && !/(^|\/)test\//.test(f) && !/\.test\.ts$/.test(f),
    );
    const found = code.filter((f) => read(f).includes('@example.com'));
    assert.deepEqual(found, []);
  });

  it('.env.example asks for the admin token length the service enforces', () => {
    const min = /ADMIN_TOKEN_MIN_LENGTH = (\d+)/.exec(read('app/src/config.ts'))?.[1];
    assert.ok(min, 'app/src/config.ts defines ADMIN_TOKEN_MIN_LENGTH');
    assert.match(read('.env.example'), new RegExp(`admin endpoints \\(${min}\\+ characters`));
  });
});
