// Imported first by server.ts, before the modules it loads: start-up garbage (module compilation, schema
// compilers) makes V8 grow its young generation several-fold, and it keeps those pages while the service idles. With
// the growth factor at 1 during start-up the young generation stays at its initial size; `startupDone()` restores
// V8's default (2), so under load it grows as before and request throughput is unchanged. Figures: BENCHMARKS.md.
// The flag is read at each young-generation resize, so setting it at run time works (unlike
// --max-semi-space-size, fixed when the heap is set up). https://v8.dev/blog/orinoco-parallel-scavenger
import { setFlagsFromString } from 'node:v8';

setFlagsFromString('--semi-space-growth-factor=1');

export function startupDone(): void {
  setFlagsFromString('--semi-space-growth-factor=2');
}
