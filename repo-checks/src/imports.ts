// The repository's import graph, from dependency-cruiser (https://github.com/sverweij/dependency-cruiser), parsing
// TypeScript with swc: dependency-cruiser reads .ts through the TypeScript compiler's JavaScript API, which
// TypeScript 7.0 (the native compiler) does not have; its swc parser keeps type-only imports as edges too.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cruise, type ICruiseResult } from 'dependency-cruiser';
import { repoRoot } from './repo.ts';

interface Manifest {
  name: string;
  workspaces?: string[];
  exports?: unknown;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

const manifest = (folder: string) =>
  JSON.parse(readFileSync(join(repoRoot, folder, 'package.json'), 'utf8')) as Manifest;

/** The npm workspaces of the root package.json, each with its package name and declared dependencies. */
export function workspaces(): { folder: string; name: string; declared: Set<string>; exports: boolean }[] {
  return (manifest('.').workspaces ?? []).map((folder) => {
    const m = manifest(folder);
    const declared = new Set(Object.keys({ ...m.dependencies, ...m.devDependencies }));
    return { folder, name: m.name, declared, exports: m.exports !== undefined };
  });
}

/** Every module of every workspace and what it imports (type-only and dynamic imports included). */
export async function importGraph(folders: string[] = workspaces().map((w) => w.folder)): Promise<ICruiseResult> {
  const cwd = process.cwd();
  process.chdir(repoRoot); // dependency-cruiser resolves and reports paths relative to the working directory
  try {
    const { output } = await cruise(folders, {
      parser: 'swc',
      tsPreCompilationDeps: true,
      exclude: { path: '(^|/)(node_modules|dist|cdk\\.out|coverage|pglite-template|\\.data)/' },
      doNotFollow: { path: 'node_modules' },
      // Resolve as Node does: a package's "exports" (a subpath it does not export does not resolve).
      enhancedResolveOptions: {
        exportsFields: ['exports'],
        conditionNames: ['import', 'node', 'default'],
        extensions: ['.ts', '.js', '.mjs', '.cjs', '.json'],
      },
      validate: true,
      ruleSet: { forbidden: [{ name: 'no-circular', severity: 'error', from: {}, to: { circular: true } }] },
    });
    if (typeof output === 'string') throw new Error('dependency-cruiser returned text, not a result');
    return output;
  } finally {
    process.chdir(cwd);
  }
}

/** Each import cycle once, as "a.ts → b.ts → a.ts". */
export function cycles(graph: ICruiseResult): string[] {
  const seen = new Set<string>();
  for (const v of graph.summary.violations) {
    if (v.rule.name !== 'no-circular' || !v.cycle) continue;
    const loop = [v.from, ...v.cycle.map((step) => step.name)];
    // the same cycle is reported from each of its modules: keep it once, starting from its smallest module
    const members = loop.slice(0, -1);
    const first = members.indexOf([...members].sort()[0] as string);
    const rotated = [...members.slice(first), ...members.slice(0, first)];
    seen.add([...rotated, rotated[0]].join(' → '));
  }
  return [...seen].sort();
}

/**
 * Imports that reach another workspace's files other than through one of the entries its package.json "exports"
 * declares, under its package name, declared in the importer's package.json: "<file> imports <specifier>: <why>".
 */
export function undeclaredCrossWorkspaceImports(graph: ICruiseResult): string[] {
  const all = workspaces();
  const workspaceOf = (path: string) => all.find((w) => path === w.folder || path.startsWith(`${w.folder}/`));
  const problems: string[] = [];
  for (const module of graph.modules) {
    const from = workspaceOf(module.source);
    if (!from) continue;
    for (const dependency of module.dependencies) {
      const byName = all.find((w) => dependency.module === w.name || dependency.module.startsWith(`${w.name}/`));
      const to = byName ?? workspaceOf(dependency.resolved);
      if (!to || to === from) continue;
      if (!byName) {
        problems.push(
          `${module.source} imports ${dependency.module}: a relative path into ${to.folder}/ (import ${to.name})`,
        );
      } else if (!from.declared.has(to.name)) {
        problems.push(
          `${module.source} imports ${dependency.module}: ${to.name} is not in ${from.folder}/package.json`,
        );
      } else if (!to.exports) {
        problems.push(`${module.source} imports ${dependency.module}: ${to.folder}/package.json declares no "exports"`);
      } else if (dependency.couldNotResolve) {
        problems.push(
          `${module.source} imports ${dependency.module}: not an entry of ${to.folder}/package.json "exports"`,
        );
      }
    }
  }
  return problems.sort();
}
