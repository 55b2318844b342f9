// A prebuilt empty database (initdb + migrations), made at build time (`npm run build`, the image build) and copied
// into a new DATA_DIR at start: initdb in WebAssembly takes seconds and peaks at twice the memory of opening an
// existing folder (BENCHMARKS.md), so no start, in the container or on a laptop, runs it when the template is there.
// The copy is plain files: PGlite's data folder is the same on every CPU architecture (32-bit WebAssembly).
// make-pglite-template.ts makes it (it opens PGlite, which imports this module to copy it: the maker lives apart).
import { cpSync, existsSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** <package root>/pglite-template: src/db/ and dist/db/ are both two levels below it (like migrations/). */
export const defaultTemplateDir = fileURLToPath(new URL('../../pglite-template', import.meta.url));

export interface TemplateInfo {
  /** The PGlite release that made it: another release may use another on-disk format. */
  pglite: string;
  migrations: string[];
  /** The initdb arguments it was made with: a template made with others is made again. */
  initdb?: string[];
}

export function installedPgliteVersion(): string {
  const entry = createRequire(import.meta.url).resolve('@electric-sql/pglite'); // <pkg>/dist/index.cjs
  return (JSON.parse(readFileSync(join(dirname(entry), '..', 'package.json'), 'utf8')) as { version: string }).version;
}

export function readInfo(dir: string): TemplateInfo | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, 'template.json'), 'utf8')) as TemplateInfo;
  } catch {
    return undefined;
  }
}

/** The template's data folder when the installed PGlite made it, else undefined (then PGlite runs initdb). */
export function usableTemplate(dir: string = defaultTemplateDir): string | undefined {
  const info = readInfo(dir);
  return info?.pglite === installedPgliteVersion() && existsSync(join(dir, 'pgdata')) ? join(dir, 'pgdata') : undefined;
}

/** Copies the template to `pgdata` through a temporary name, so that a crash never leaves half a database. */
export function copyTemplate(template: string, pgdata: string): void {
  const partial = `${pgdata}.partial-${process.pid}`;
  rmSync(partial, { recursive: true, force: true });
  cpSync(template, partial, { recursive: true });
  renameSync(partial, pgdata);
}
