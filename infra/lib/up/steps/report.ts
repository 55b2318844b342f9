// The last steps of `npm run up`: the deploy smoke test against the public URL (scripts/deploy-smoke.sh, the
// pipeline's), then what the operator needs: the URLs, the e-mail subscriptions still to confirm, what to do next.
import { names } from '../../../config/names.ts';
import { type Step, type StepContext, StepError } from '../context.ts';
import { run } from '../process.ts';

async function outputs(ctx: StepContext, stack: string): Promise<Readonly<Record<string, string>>> {
  return (await ctx.cloud.target.stack(stack))?.outputs ?? {};
}

async function publicUrl(ctx: StepContext): Promise<string> {
  const url = (await outputs(ctx, names(ctx.env.name).serviceStack)).PublicUrl;
  if (!url) throw new StepError(`${names(ctx.env.name).serviceStack} has no PublicUrl output`);
  return url;
}

export const smokeStep: Step = {
  name: 'smoke test',
  async plan(ctx) {
    return [`run scripts/deploy-smoke.sh against ${names(ctx.env.name).serviceStack}'s PublicUrl (no AWS change)`];
  },
  async run(ctx) {
    const url = await publicUrl(ctx);
    ctx.print(`  $ bash scripts/deploy-smoke.sh ${url}`);
    const env = { ...ctx.processEnv, NODEAPP_SERVICE: ctx.options.service };
    const result = await run('bash', ['scripts/deploy-smoke.sh', url], { env, cwd: ctx.root }, ctx.print);
    if (result.status !== 0) throw new StepError(`scripts/deploy-smoke.sh ${url} failed (output above)`);
  },
};

/** The alarm topic's e-mail subscriptions nobody has confirmed yet (SNS sends nothing to them until then). */
export async function pendingAlarmSubscriptions(ctx: StepContext): Promise<string[]> {
  const stack = names(ctx.env.name).serviceStack;
  if (!(await ctx.cloud.target.stack(stack))) return [];
  const pending: string[] = [];
  for (const topic of await ctx.cloud.target.stackResources(stack, 'AWS::SNS::Topic')) {
    pending.push(...(await ctx.cloud.target.pendingSubscriptions(topic)));
  }
  return pending;
}

export const summaryStep: Step = {
  name: 'summary',
  readOnly: true,
  async run(ctx) {
    const n = names(ctx.env.name);
    if (ctx.options.dryRun && !(await ctx.cloud.target.stack(n.serviceStack))) {
      ctx.print(`  (a real run prints the URL, the Grafana URL and the pending alarm subscriptions here)`);
      return;
    }
    const service = await outputs(ctx, n.serviceStack);
    const monitoring = await outputs(ctx, n.monitoringStack);
    ctx.print(`  URL:      ${service.PublicUrl ?? '(no output yet)'}`);
    ctx.print(
      `  Grafana:  ${monitoring.GrafanaUrl ?? '(no output yet)'} (user admin; password: ${monitoring.GrafanaAdminSecretArn ?? 'the GrafanaAdminSecretArn output'})`,
    );
    const pending = await pendingAlarmSubscriptions(ctx);
    ctx.print(
      pending.length > 0
        ? `  alarm e-mails to confirm (SNS sends nothing until each clicks the link AWS mailed): ${pending.join(', ')}`
        : '  alarm e-mails: every subscription confirmed',
    );
    ctx.print('  next:');
    ctx.print(
      `    - change the code, commit, run the same command again: only the images and ${ctx.env.name} are updated`,
    );
    ctx.print('    - staging and production go through GitHub: docs/deploy.md "Going to production with GitHub"');
    ctx.print(
      `    - remove everything: npm run down -- --env ${ctx.env.name}${ctx.env.account === ctx.config.shared.account ? ' --all' : ''}`,
    );
  },
};
