// A custom domain's certificate is an account resource the config only names (edge.domain.certificateArn): CloudFront
// takes it from us-east-1 only, and only once issued and covering the domain.
// https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/cnames-and-https-requirements.html
// https://docs.aws.amazon.com/acm/latest/APIReference/API_DescribeCertificate.html
import { type CertificateDetail, DescribeCertificateCommand } from '@aws-sdk/client-acm';
import type { CheckContext } from '../context.ts';
import { type CheckResult, fail, pass, skip } from '../result.ts';

/** `*.example.com` covers `www.example.com`, not `example.com` nor `a.b.example.com`. */
export function covers(certificateName: string, domain: string): boolean {
  if (certificateName === domain) return true;
  if (!certificateName.startsWith('*.')) return false;
  const dot = domain.indexOf('.');
  return dot > 0 && domain.slice(dot + 1) === certificateName.slice(2);
}

export async function checkCertificate({ env, access }: CheckContext): Promise<CheckResult> {
  const check = 'certificate';
  const domain = env.edge.domain;
  if (!domain) return skip(check, `${env.name} serves the *.cloudfront.net name (no edge.domain)`);
  const fix = `issue a certificate for ${domain.name} in ACM us-east-1 of ${env.account} and set edge.domain.certificateArn`;
  if (!domain.certificateArn.startsWith(`arn:aws:acm:us-east-1:${env.account}:`)) {
    return fail(check, `${domain.certificateArn} is not in us-east-1 of ${env.account}`, fix);
  }
  let certificate: CertificateDetail | undefined;
  try {
    certificate = (
      await access.target.acmUsEast1.send(new DescribeCertificateCommand({ CertificateArn: domain.certificateArn }))
    ).Certificate;
  } catch (error) {
    if (error instanceof Error && error.name === 'ResourceNotFoundException') {
      return fail(check, `${domain.certificateArn} does not exist`, fix);
    }
    throw error;
  }
  const names = [certificate?.DomainName, ...(certificate?.SubjectAlternativeNames ?? [])].filter(
    (n): n is string => typeof n === 'string',
  );
  if (certificate?.Status !== 'ISSUED') {
    return fail(
      check,
      `${domain.certificateArn} is ${certificate?.Status ?? 'unknown'}, not ISSUED`,
      'complete its validation (DNS record)',
    );
  }
  if (!names.some((n) => covers(n, domain.name))) {
    return fail(check, `${domain.certificateArn} covers ${names.join(', ')}, not ${domain.name}`, fix);
  }
  return pass(check, `${domain.name}: ${domain.certificateArn} issued`);
}
