// Imported first by server.ts, before the modules it loads: start-up garbage (module compilation, schema
// compilers) makes V8 grow its young generation several-fold, and it keeps those pages while the service idles. With
// the growth factor at 1 during start-up the young generation stays at its initial size; `startupDone()` restores
// V8's default (2), so under load it grows as before and request throughput is unchanged.
// Figures: docs/benchmarks/2026-12-06-history.md.
// V8 reads the flag each time it grows the young generation (Heap's new-space growth in
// https://github.com/nodejs/node/blob/main/deps/v8/src/heap/heap.cc, `semi_space_growth_factor`), so setting it at run
// time works, unlike --max-semi-space-size, fixed when the heap is set up (both measured:
// docs/benchmarks/2026-12-06-history.md).
import { setFlagsFromString } from 'node:v8';

setFlagsFromString('--semi-space-growth-factor=1');

export function startupDone(): void {
  setFlagsFromString('--semi-space-growth-factor=2');
}
