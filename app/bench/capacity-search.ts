// The decisions of bench/capacity.ts, apart from the processes it runs (unit-tested: test/bench/capacity.test.ts).
import type { SmokeTest } from '@nodeapp/contract';
import type { MixEntry } from './open-loop.ts';

/** The latency objective a rate must keep to count as served. */
export const OBJECTIVE = { p99Ms: 100, errors: 0 } as const;

export interface TaskSize {
  /** vCPU, as `--cpus` takes it (Fargate's CPU units / 1024). */
  cpu: number;
  memoryMiB: number;
}

/** "0.25:512,0.5:1024" → task sizes; a clear error naming --sizes otherwise. */
export function parseSizes(text: string): TaskSize[] {
  return text.split(',').map((item) => {
    const m = /^(\d+(?:\.\d+)?):(\d+)$/.exec(item.trim());
    const cpu = Number(m?.[1]);
    const memoryMiB = Number(m?.[2]);
    if (!m || cpu <= 0 || memoryMiB < 128) {
      throw new Error(`--sizes: expected vCPU:MiB items such as 0.25:512, got ${JSON.stringify(item)}`);
    }
    return { cpu, memoryMiB };
  });
}

interface MixFileEntry {
  method?: MixEntry['method'];
  path: string;
  weight?: number;
  status?: number;
  body?: unknown;
}

/** A mix file (JSON array of {method, path, weight, status, body}) → the load's entries. */
export function mixFromFile(data: unknown, file: string): MixEntry[] {
  if (!Array.isArray(data) || data.length === 0) throw new Error(`${file}: expected a non-empty JSON array`);
  return data.map((raw: MixFileEntry, i) => {
    if (typeof raw?.path !== 'string' || !raw.path.startsWith('/')) {
      throw new Error(`${file}: [${i}].path: expected a path starting with /`);
    }
    if (raw.weight !== undefined && !(typeof raw.weight === 'number' && raw.weight > 0)) {
      throw new Error(`${file}: [${i}].weight: expected a positive number`);
    }
    const body = raw.body;
    return {
      method: raw.method ?? 'GET',
      path: raw.path,
      weight: raw.weight ?? 1,
      status: raw.status ?? 200,
      ...(body === undefined ? {} : { body: () => body }),
    };
  });
}

/**
 * A team's own service without a mix file: its contract's smoke requests that reach the task (not the edge-only
 * ones, not the health checks), in equal shares.
 */
export function mixFromSmokeTests(smokeTests: readonly SmokeTest[], healthPaths: readonly string[]): MixEntry[] {
  const mix = smokeTests
    .filter((t) => !t.edgeOnly && t.method === 'GET' && !healthPaths.includes(t.path))
    .map((t) => ({ method: t.method as MixEntry['method'], path: t.path, weight: 1, status: t.status }));
  if (mix.length === 0) {
    throw new Error('smokeTests: no GET request other than the health checks reaches the task; pass --mix <file>');
  }
  return mix;
}

export interface Step {
  rps: number;
  p99Ms: number;
  errors: number;
  requests: number;
}

export const passes = (step: Step): boolean => step.errors <= OBJECTIVE.errors && step.p99Ms <= OBJECTIVE.p99Ms;

/** One run of a step, with how late the load generator sent its requests (its p99, ms). */
export interface Attempt extends Step {
  lagP99Ms: number;
}

/** A generator this late has not kept the fixed rate: the machine stalled it, and probably the service too. */
export const MAX_GENERATOR_LAG_MS = 25;

/**
 * Whether a step passed, failed or must run again, from its attempts so far. The rest of a shared machine's load
 * can only add latency, so one passing attempt is a pass; a failure counts when the generator kept its schedule,
 * and two such failures (or four attempts) fail the step.
 */
export function stepVerdict(attempts: readonly Attempt[]): 'pass' | 'fail' | 'again' {
  if (attempts.some(passes)) return 'pass';
  const confirmed = attempts.filter((a) => a.lagP99Ms <= MAX_GENERATOR_LAG_MS).length;
  return confirmed >= 2 || attempts.length >= 4 ? 'fail' : 'again';
}

/** The attempt a step reports: a passing one, else the one with the lowest p99. */
export function stepResult(attempts: readonly Attempt[]): Attempt {
  const best = attempts.find(passes) ?? [...attempts].sort((a, b) => a.p99Ms - b.p99Ms)[0];
  if (!best) throw new Error('a step without attempts');
  return best;
}

/**
 * The next rate to try after `steps` (in the order run), or undefined when the capacity is known: rates grow by
 * `factor` until one fails, then the gap between the last pass and the first failure is halved until it is
 * within `resolution` (a fraction of the passing rate).
 */
export function nextRate(steps: readonly Step[], start: number, factor = 1.5, resolution = 0.1): number | undefined {
  if (steps.length === 0) return start;
  const passing = steps.filter(passes).map((s) => s.rps);
  const failing = steps.filter((s) => !passes(s)).map((s) => s.rps);
  const best = passing.length ? Math.max(...passing) : 0;
  const worst = failing.length ? Math.min(...failing.filter((r) => r > best)) : Number.POSITIVE_INFINITY;
  if (worst === Number.POSITIVE_INFINITY) return Math.round(best * factor);
  if (best === 0) return worst / factor < 1 ? undefined : Math.round(worst / factor);
  if (worst - best <= best * resolution) return undefined;
  return Math.round((best + worst) / 2);
}

/** The highest rate that kept the objective (0 when none did). */
export function capacity(steps: readonly Step[]): number {
  return Math.max(0, ...steps.filter(passes).map((s) => s.rps));
}
