// Alertmanager mails critical alerts through the region's SES SMTP endpoint unless monitoring.alertEmail.smtpSmarthost
// names another server. SES sends only from verified identities, and while the account is in the (per-region)
// sandbox only to verified recipients: https://docs.aws.amazon.com/ses/latest/dg/request-production-access.html
// https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_GetAccount.html
// https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_GetEmailIdentity.html
import { GetAccountCommand, GetEmailIdentityCommand } from '@aws-sdk/client-sesv2';
import type { CheckContext } from '../context.ts';
import { type CheckResult, fail, pass, skip } from '../result.ts';

/** Whether SES may send for this address: the address itself or its domain is a verified identity. */
async function verified(ctx: CheckContext, address: string): Promise<boolean> {
  const domain = address.split('@')[1] ?? address;
  for (const identity of [address, domain]) {
    try {
      const out = await ctx.access.target.sesv2.send(new GetEmailIdentityCommand({ EmailIdentity: identity }));
      if (out.VerifiedForSendingStatus === true) return true;
    } catch (error) {
      if (!(error instanceof Error && error.name === 'NotFoundException')) throw error;
    }
  }
  return false;
}

export async function checkSesEmail(ctx: CheckContext): Promise<CheckResult> {
  const check = 'ses-email';
  const { env } = ctx;
  const { from, smtpSmarthost } = env.monitoring.alertEmail;
  if (smtpSmarthost) return skip(check, `alert e-mail goes through ${smtpSmarthost}, not SES`);
  const recipients = env.alarms.emails;
  if (recipients.length === 0) return skip(check, `${env.name} has no alert e-mail recipients (alarms.emails)`);
  const problems: string[] = [];
  const fixes: string[] = [];
  if (!(await verified(ctx, from))) {
    problems.push(`sender ${from} is not a verified SES identity in ${env.region}`);
    fixes.push(`verify ${from} or its domain in SES ${env.region}`);
  }
  const account = await ctx.access.target.sesv2.send(new GetAccountCommand({}));
  if (account.SendingEnabled === false) {
    problems.push(`SES sending is disabled for ${env.account} in ${env.region}`);
    fixes.push('re-enable SES sending (account-level)');
  }
  let mode = 'production access';
  if (account.ProductionAccessEnabled !== true) {
    mode = 'sandbox, recipients verified';
    const unverified: string[] = [];
    for (const to of recipients) if (!(await verified(ctx, to))) unverified.push(to);
    if (unverified.length > 0) {
      problems.push(`SES ${env.region} is in the sandbox and ${unverified.join(', ')} are not verified`);
      fixes.push('request SES production access, or verify those recipients');
    }
  }
  if (problems.length > 0) return fail(check, problems.join('; '), fixes.join('; '));
  return pass(check, `${from} verified, ${mode} (${env.region})`);
}
