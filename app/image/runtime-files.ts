// `node app/image/runtime-files.ts <out> <entry.js>…` (run from the repository root, after the build): copies into
// <out> the files of node_modules that Node loads when it runs the given entry points, as @vercel/nft traces them
// (the requires and imports, and the files a package reads next to itself: PGlite's .wasm and .data, swagger-ui's
// static assets). app/Dockerfile ships this instead of the whole production install: 22 MB instead of 38 MB
// (BENCHMARKS.md, "Image size and start"). https://github.com/vercel/nft
// Every file and folder gets one fixed modification time, so the same set of files makes the same image layer
// (same digest) whatever the build's clock: a code-only change does not re-push the dependencies.
import { cpSync, mkdirSync, readdirSync, statSync, utimesSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { nodeFileTrace } from '@vercel/nft';

/** 2000-01-01T00:00:00Z: any fixed time would do (the layer's content is what matters). */
const FIXED_TIME = new Date(Date.UTC(2000, 0, 1));

export interface RuntimeFiles {
  /** Paths relative to the base folder, sorted. */
  files: string[];
  bytes: number;
}

/** The node_modules files the entry points load, relative to `base`. Throws on a native addon (built per platform). */
export async function traceRuntimeFiles(base: string, entries: string[]): Promise<RuntimeFiles> {
  const { fileList } = await nodeFileTrace(entries, { base });
  const files = [...fileList].filter((f) => /(^|\/)node_modules\//.test(f)).sort();
  const native = files.filter((f) => f.endsWith('.node'));
  if (native.length > 0) {
    throw new Error(`native addon(s) ${native.join(', ')}: the image installs once for every platform`);
  }
  const bytes = files.reduce((sum, f) => sum + statSync(join(base, f)).size, 0);
  return { files, bytes };
}

/** Copies `files` (relative to `base`) into `out`, then gives every path under `out` the fixed time. */
export function copyWithFixedTimes(base: string, files: string[], out: string): void {
  for (const f of files) {
    mkdirSync(dirname(join(out, f)), { recursive: true });
    cpSync(join(base, f), join(out, f), { dereference: true });
  }
  for (const entry of readdirSync(out, { recursive: true, withFileTypes: true })) {
    utimesSync(join(entry.parentPath, entry.name), FIXED_TIME, FIXED_TIME);
  }
  utimesSync(out, FIXED_TIME, FIXED_TIME);
}

if (import.meta.main) {
  const [out, ...entries] = process.argv.slice(2);
  if (!out || entries.length === 0) {
    console.error('usage: node app/image/runtime-files.ts <out folder> <entry.js>...');
    process.exit(1);
  }
  try {
    const { files, bytes } = await traceRuntimeFiles(process.cwd(), entries);
    copyWithFixedTimes(process.cwd(), files, out);
    console.log(`runtime files: ${files.length} files, ${(bytes / 1e6).toFixed(1)} MB of node_modules → ${out}`);
  } catch (error) {
    console.error(`cannot trace the runtime files: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}
