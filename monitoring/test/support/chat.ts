// The chat integration's custom-notification format (alertmanager/chat-notification.schema.json, written from AWS's
// documentation) as a validator: the list of problems of one SNS message, empty when it follows the format.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { MONITORING_DIR } from './tools.ts';

const schema = JSON.parse(readFileSync(join(MONITORING_DIR, 'alertmanager', 'chat-notification.schema.json'), 'utf8'));
const validate = new Ajv({ allErrors: true }).compile(schema);

export function chatNotificationProblems(message: string): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(message);
  } catch (error) {
    return [`not JSON: ${(error as Error).message}`];
  }
  if (validate(parsed)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`);
}
