// The end-to-end test's SNS stand-in verifies signatures for real: a request signed with the right credentials
// passes, one signed with another secret or changed after signing is refused, as is a topic it was told to deny.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { FakeSns } from './support/fake-aws.ts';

const CREDENTIALS = { accessKeyId: 'AKIDUNITTEST', secretAccessKey: 'unit-test-secret' };
const TOPIC = 'arn:aws:sns:us-east-1:111111111111:Nodeapp-unit-heartbeat';

async function publish(url: string, secretAccessKey: string, tamper = false): Promise<number> {
  const { hostname, port } = new URL(url);
  const body = new URLSearchParams({ Action: 'Publish', TopicArn: TOPIC, Message: 'beat', Version: '2010-03-31' });
  const signer = new SignatureV4({
    credentials: { ...CREDENTIALS, secretAccessKey },
    region: 'us-east-1',
    service: 'sns',
    sha256: Hash.bind(null, 'sha256'),
    applyChecksum: false,
  });
  const signed = await signer.sign({
    method: 'POST',
    protocol: 'http:',
    hostname,
    port: Number(port),
    path: '/',
    headers: { host: `${hostname}:${port}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: body.toString(),
  });
  if (tamper) body.set('Message', 'forged');
  const response = await fetch(url, { method: 'POST', headers: signed.headers, body: body.toString() });
  await response.text();
  return response.status;
}

test('the fake SNS accepts only correctly signed publications, and refuses denied topics', async (t) => {
  const sns = new FakeSns(CREDENTIALS);
  const url = await sns.start();
  t.after(() => sns.close());
  assert.equal(await publish(url, CREDENTIALS.secretAccessKey), 200);
  assert.equal(await publish(url, 'another-secret'), 403);
  assert.equal(await publish(url, CREDENTIALS.secretAccessKey, true), 403);
  sns.deny(TOPIC);
  assert.equal(await publish(url, CREDENTIALS.secretAccessKey), 403);
  assert.equal(sns.published.length, 1);
  assert.deepEqual(
    sns.refused.map((r) => r.code),
    ['SignatureDoesNotMatch', 'SignatureDoesNotMatch', 'AuthorizationError'],
  );
});
