// node:http through require(), never a value `import … from 'node:http'` (`import type` is erased, so types are fine).
// Importing a built-in as an ES module makes Node build the module's namespace from all of its exports, which runs
// node:http's lazy WebSocket, CloseEvent and MessageEvent getters and so loads Node's bundled undici (with web streams
// and worker_threads): ~750 KB of source kept on the heap, for classes this service never uses. Measured: 1.6-2.7 MB
// of idle RSS (docs/benchmarks/2026-12-06-history.md, session 4).
// https://github.com/nodejs/node/issues/57649 (the same in Node 22 and 24).
// test/server.modules.test.ts checks that the running service does not load it.
import { createRequire } from 'node:module';

export const http: typeof import('node:http') = createRequire(import.meta.url)('node:http');
