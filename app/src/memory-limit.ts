// The memory this process may use, for the start-up check (db/pglite-memory.ts) and the nodeapp_memory_limit_bytes
// gauge that monitoring's memory alert divides by.
// MEMORY_LIMIT_BYTES wins when set: on Fargate a task-level memory size without a container-level limit is not
// visible inside the container (its cgroup reads unlimited: https://github.com/heroku/buildpacks-nodejs/issues/220,
// https://github.com/eclipse-openj9/openj9/issues/11998), so the task definition states it. Otherwise the cgroup
// limit as Node reads it: process.constrainedMemory()
// (libuv's uv_get_constrained_memory: cgroup v2 memory.max, v1 memory.limit_in_bytes),
// https://nodejs.org/api/process.html#processconstrainedmemory

/**
 * Beyond this a "limit" is the kernel's way of saying none: cgroup v1 reports 2^63 - 4096, libuv returns 2^64 for
 * cgroup v2's `max`, and 0 means unknown. No machine has 2^53 bytes (8 PiB) of memory.
 */
const UNLIMITED_FROM = Number.MAX_SAFE_INTEGER;

/** The limit in bytes, or undefined when there is none (then nothing is checked and no gauge is exported). */
export function memoryLimitBytes(
  configured: number | undefined,
  constrained: number = process.constrainedMemory(),
): number | undefined {
  if (configured !== undefined) return configured;
  if (!(constrained > 0) || constrained >= UNLIMITED_FROM) return undefined;
  return constrained;
}

/** "512 MiB", for messages an operator compares with the task definition's memory (MiB). */
export function mib(bytes: number): string {
  return `${Math.round(bytes / 1048576)} MiB`;
}
