// CDK entry point (cdk.json: `node bin/nodeapp.ts`). `-c env=<name>` limits synth/deploy to one environment;
// `-c service=<folder>` selects the service folder whose service.json is deployed (default app).
import { ContractError } from '@nodeapp/contract';
import { App } from 'aws-cdk-lib';
import { ConfigError } from '../config/validate.ts';
import { buildApp, UsageError } from '../lib/app.ts';
import { ImageDigestError } from '../lib/images.ts';

try {
  const app = new App();
  buildApp(app);
  app.synth();
} catch (error) {
  // A bad config value, contract field or -c option is the user's to fix: say which, without a stack trace.
  if (
    !(
      error instanceof ConfigError ||
      error instanceof ContractError ||
      error instanceof UsageError ||
      error instanceof ImageDigestError
    )
  )
    throw error;
  console.error(error.message);
  process.exit(1);
}
