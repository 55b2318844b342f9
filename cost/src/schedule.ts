// Turns Application Auto Scaling scheduled actions (e.g. dev's scale to zero at night) into the share of the
// month a service runs at each task count, by replaying one week of the cron schedules.
import { CronExpressionParser } from 'cron-parser';

export interface ScheduledCapacity {
  schedule: string;
  timezone?: string;
  min?: number;
  max?: number;
}

export interface CountShare {
  tasks: number;
  /** Fraction of the time (0..1) spent at this count. */
  share: number;
}

const WEEK_MS = 7 * 24 * 3600 * 1000;
// A fixed reference week (Monday 2026-01-05 00:00 UTC) so results do not depend on when the tool runs.
const WEEK_START = Date.UTC(2026, 0, 5);

/**
 * AWS cron is `cron(min hour day-of-month month day-of-week year)` with day-of-week 1-7 = SUN-SAT.
 * cron-parser takes five fields with 0-7 (0/7 = SUN), so drop the year and shift numeric days of week.
 */
export function awsCronToStandard(expression: string): string {
  const m = /^cron\((.*)\)$/.exec(expression.trim());
  if (!m?.[1]) throw new Error(`unsupported schedule "${expression}" (only cron(...) schedules are replayed)`);
  const fields = m[1].trim().split(/\s+/);
  if (fields.length !== 6) throw new Error(`AWS cron needs 6 fields: "${expression}"`);
  const [minute, hour, dom, month, dow] = fields as [string, string, string, string, string];
  const shiftedDow = dow.replace(/\d+/g, (d) => String((Number(d) + 6) % 7));
  return [minute, hour, dom, month, shiftedDow].join(' ');
}

/**
 * Share of the week spent at each running-task count. The service is assumed to sit at its current minimum
 * (no load-driven scale-out), capped by the current maximum; each scheduled action replaces min and/or max.
 */
export function weeklyTaskCounts(base: { min: number; max: number }, actions: ScheduledCapacity[]): CountShare[] {
  const events: { at: number; min?: number; max?: number }[] = [];
  // Replay two weeks and measure the second, so the state at the start of the week is what last week left.
  for (const action of actions) {
    const expr = CronExpressionParser.parse(awsCronToStandard(action.schedule), {
      currentDate: new Date(WEEK_START - WEEK_MS - 1),
      endDate: new Date(WEEK_START + WEEK_MS),
      tz: action.timezone ?? 'UTC',
    });
    while (expr.hasNext()) events.push({ at: expr.next().getTime(), min: action.min, max: action.max });
  }
  events.sort((a, b) => a.at - b.at);

  let min = base.min;
  let max = base.max;
  let last = WEEK_START;
  const totals = new Map<number, number>();
  const add = (until: number): void => {
    const span = Math.max(0, until - last);
    if (span > 0) {
      const tasks = Math.max(0, Math.min(min, max));
      totals.set(tasks, (totals.get(tasks) ?? 0) + span);
    }
    last = Math.max(last, until);
  };
  for (const e of events) {
    if (e.at > WEEK_START) add(Math.min(e.at, WEEK_START + WEEK_MS));
    if (e.min !== undefined) min = e.min;
    if (e.max !== undefined) max = e.max;
  }
  add(WEEK_START + WEEK_MS);
  return [...totals.entries()].map(([tasks, ms]) => ({ tasks, share: ms / WEEK_MS })).sort((a, b) => a.tasks - b.tasks);
}
