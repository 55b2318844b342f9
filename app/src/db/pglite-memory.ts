// How much memory the embedded PostgreSQL (PGlite, WebAssembly) needs to start, so that a task given less stops
// with one line naming the need instead of being killed by the kernel before it logs anything (exit 137).
// The figures are peak RSS measured with PGlite 0.5 on Node 24 (BENCHMARKS.md, "Embedded database (PGlite)
// memory"), rounded up with room for the rest of the service. V8's default tiering compiles PGlite's hot functions
// a second time with TurboFan, which more than doubles the peak; `--liftoff-only` keeps the baseline compiler's code
// only. V8 accepts that flag on the command line only (NODE_OPTIONS refuses it, and v8.setFlagsFromString() after
// start-up was measured to have no effect), so `npm start` and the image's CMD pass it.
import { mib } from '../memory-limit.ts';

/** `open`: an existing data folder or a copy of the prebuilt template; `initdb`: a new cluster in WebAssembly. */
export type PgliteStart = 'open' | 'initdb';

const NEED_MIB: Record<'liftoff' | 'tiered', Record<PgliteStart, number>> = {
  liftoff: { open: 320, initdb: 720 },
  tiered: { open: 950, initdb: 1200 },
};

export function liftoffOnly(execArgv: readonly string[] = process.execArgv): boolean {
  return execArgv.includes('--liftoff-only');
}

export function pgliteMemoryNeedBytes(start: PgliteStart, liftoff: boolean): number {
  return NEED_MIB[liftoff ? 'liftoff' : 'tiered'][start] * 1048576;
}

/** Throws an error naming the need when `limitBytes` (undefined: no limit) is below it. */
export function checkPgliteMemory(limitBytes: number | undefined, start: PgliteStart, liftoff: boolean): void {
  const need = pgliteMemoryNeedBytes(start, liftoff);
  if (limitBytes === undefined || limitBytes >= need) return;
  const what = start === 'open' ? 'to open its database' : 'to create a new database (initdb)';
  throw new Error(
    `the embedded PostgreSQL (PGlite) needs ${mib(need)} of memory ${what}${liftoff ? '' : ' when node runs without --liftoff-only'}, ` +
      `but the memory limit is ${mib(limitBytes)}: give the task at least ${mib(need)}` +
      `${liftoff ? '' : ', start node with --liftoff-only'} or use a PostgreSQL server (DATABASE_URL)`,
  );
}
