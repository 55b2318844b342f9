// `npm run lint:migrations`: squawk (npm squawk-cli) over app/migrations with app/migrations/.squawk.toml.
// Expand/contract (app/migrations/README.md): while a deploy runs, the previous release still serves on the new
// schema, so a migration may only add. squawk refuses destructive statements (ban-drop-column, ban-drop-table,
// ban-drop-not-null) and locking ones (lock and statement timeouts, blocking index builds, table rewrites...).
// A contract step, a file whose first line is `-- contract step: <why no running release needs it any more>`, may
// drop; the locking rules still apply to it. Exit 1 with squawk's report when any file fails.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** squawk rules a contract step may break: what it exists to do. */
export const CONTRACT_RULES = ['ban-drop-column', 'ban-drop-table', 'ban-drop-not-null'] as const;
const CONTRACT_MARK = /^-- contract step: \S.*$/;

/** `excluded_paths` of the folder's .squawk.toml (one line there): files squawk skips, left out before calling it. */
function baselined(dir: string): string[] {
  const config = readFileSync(join(dir, '.squawk.toml'), 'utf8');
  const list = /^excluded_paths\s*=\s*\[(.*)\]\s*$/m.exec(config)?.[1] ?? '';
  return [...list.matchAll(/"([^"]+)"/g)].map((m) => m[1] ?? '');
}

/** The migration files of `dir` squawk lints, split into expand steps and marked contract steps. */
export function migrationFiles(dir: string): { expand: string[]; contract: string[] } {
  const skip = baselined(dir);
  const files = readdirSync(dir)
    .filter((f) => /^\d{3,}_[a-z0-9_]+\.sql$/.test(f) && !skip.includes(f))
    .sort();
  const contract = files.filter((f) => CONTRACT_MARK.test(readFileSync(join(dir, f), 'utf8').split('\n')[0] ?? ''));
  return { expand: files.filter((f) => !contract.includes(f)), contract };
}

function squawk(dir: string, files: string[], exclude: readonly string[]): number {
  if (files.length === 0) return 0;
  const bin = join(dirname(createRequire(import.meta.url).resolve('squawk-cli/package.json')), 'js', 'bin', 'squawk');
  const args = ['--config', join(dir, '.squawk.toml'), ...(exclude.length ? ['--exclude', exclude.join(',')] : [])];
  // No stdin: squawk reads SQL from a non-terminal stdin when no given file is left to lint.
  const result = spawnSync(process.execPath, [bin, ...args, ...files], {
    cwd: dir,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (result.error) throw result.error;
  return result.status ?? 1;
}

export function lintMigrations(dir: string): number {
  const { expand, contract } = migrationFiles(dir);
  const statuses = [squawk(dir, expand, []), squawk(dir, contract, CONTRACT_RULES)];
  const failed = statuses.some((s) => s !== 0);
  const linted = expand.length + contract.length;
  console.log(
    `lint:migrations: ${linted} file(s) linted, ${contract.length} contract step(s), baselined ones skipped: ${failed ? 'FAILED' : 'ok'}`,
  );
  return failed ? 1 : 0;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  process.exitCode = lintMigrations(process.argv[2] ?? fileURLToPath(new URL('../migrations/', import.meta.url)));
}
