// Paths and loaders shared by the repository-level tests.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

/** The repository root (this file lives in repo-checks/src/). */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export const workflowsDir = join(repoRoot, '.github', 'workflows');

export function readRepoFile(relativePath: string): string {
  return readFileSync(join(repoRoot, relativePath), 'utf8');
}

export interface WorkflowFile {
  /** Path relative to the repository root, e.g. .github/workflows/destroy.yml */
  path: string;
  text: string;
}

/** Every workflow file in .github/workflows (YAML only). */
export function listWorkflows(): WorkflowFile[] {
  if (!existsSync(workflowsDir)) return [];
  return readdirSync(workflowsDir)
    .filter((name) => /\.ya?ml$/.test(name))
    .sort()
    .map((name) => {
      const path = `.github/workflows/${name}`;
      return { path, text: readRepoFile(path) };
    });
}

/** Parses YAML strictly: duplicate keys and syntax errors throw instead of being silently resolved. */
export function parseYaml(text: string): unknown {
  return parse(text, { uniqueKeys: true, strict: true, prettyErrors: true });
}
