// Verifies an AWS Signature Version 4 request the way AWS does: recomputes the signature of the received request with
// the caller's credentials (@smithy/signature-v4, the AWS SDK's own signer; https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html)
// over exactly the headers the request says it signed, at the time it says it signed, and compares.
import type { IncomingHttpHeaders } from 'node:http';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';

export interface Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

export interface ReceivedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

const AUTHORIZATION =
  /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/;

/** Why the signature is wrong, or undefined when it matches. */
export async function sigv4Problem(request: ReceivedRequest, credentials: Credentials): Promise<string | undefined> {
  const authorization = String(request.headers.authorization ?? '');
  const match = AUTHORIZATION.exec(authorization);
  if (!match) return `malformed Authorization header: ${authorization || '(none)'}`;
  const [, accessKeyId, , region, service, signedHeaders] = match;
  if (accessKeyId !== credentials.accessKeyId) return `unknown access key ${accessKeyId}`;
  const amzDate = String(request.headers['x-amz-date'] ?? '');
  const signingDate = new Date(amzDate.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z'));
  if (Number.isNaN(signingDate.getTime())) return `bad X-Amz-Date ${amzDate}`;
  const names = (signedHeaders ?? '').split(';');
  const headers = Object.fromEntries(names.map((name) => [name, String(request.headers[name] ?? '')]));
  const [path, query = ''] = request.path.split('?');
  const signer = new SignatureV4({
    credentials,
    region: region ?? '',
    service: service ?? '',
    sha256: Hash.bind(null, 'sha256'),
    // Sign only what the caller signed: the SDK adds x-amz-content-sha256 unless told not to.
    applyChecksum: names.includes('x-amz-content-sha256'),
  });
  const signed = await signer.sign(
    {
      method: request.method,
      protocol: 'http:',
      hostname: String(request.headers.host ?? '').replace(/:\d+$/, ''),
      path: path ?? '/',
      query: Object.fromEntries(new URLSearchParams(query)),
      headers,
      body: request.body,
    },
    { signingDate, signableHeaders: new Set(names) },
  );
  const expected = String(signed.headers.authorization ?? signed.headers.Authorization ?? '');
  return expected === authorization ? undefined : `signature does not match (expected ${expected})`;
}
