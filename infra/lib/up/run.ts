// Walks the steps in order: each prints its name and elapsed time; a step whose work AWS already shows done is
// skipped; a failure names the step, the cause and the command that resumes (the same command: done steps skip).
import type { Step, StepContext } from './context.ts';
import { StepError } from './context.ts';

function elapsed(ms: number): string {
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
}

function cause(error: unknown): string {
  if (error instanceof StepError) return error.message;
  if (error instanceof Error) return `${error.name}: ${error.message.split('\n')[0]}`;
  return String(error);
}

/** 0 when every step passed or was skipped; 1 after the first failure. */
export async function runSteps(steps: readonly Step[], ctx: StepContext, resume: string): Promise<number> {
  const started = Date.now();
  const { print } = ctx;
  if (ctx.options.dryRun) print('dry run: nothing below is changed; "would" lines are what a real run changes');
  for (const [i, step] of steps.entries()) {
    const t0 = Date.now();
    const label = `[${i + 1}/${steps.length}] ${step.name}`;
    print(label);
    try {
      const skip = step.done ? await step.done(ctx) : undefined;
      if (skip) {
        print(`${label}: already done (${skip}), skipped`);
        continue;
      }
      if (ctx.options.dryRun && !step.readOnly) {
        for (const line of step.plan ? await step.plan(ctx) : []) print(`  would ${line}`);
        continue;
      }
      await step.run(ctx);
      print(`${label}: done in ${elapsed(Date.now() - t0)}`);
    } catch (error) {
      print(`FAILED at step ${step.name} after ${elapsed(Date.now() - t0)}: ${cause(error)}`);
      print(`resume with: ${resume}`);
      return 1;
    }
  }
  print(`${ctx.options.dryRun ? 'dry run finished' : 'finished'} in ${elapsed(Date.now() - started)}`);
  return 0;
}
