// CDK entry point (cdk.json: `node bin/nodeapp.ts`). `-c env=<name>` limits synth/deploy to one environment.
import { App } from 'aws-cdk-lib';
import { ConfigError } from '../config/validate.ts';
import { buildApp, UsageError } from '../lib/app.ts';
import { ImageDigestError } from '../lib/images.ts';

try {
  const app = new App();
  buildApp(app);
  app.synth();
} catch (error) {
  // A bad config value or -c option is the user's to fix: say which, without a stack trace.
  if (!(error instanceof ConfigError || error instanceof UsageError || error instanceof ImageDigestError)) throw error;
  console.error(error.message);
  process.exit(1);
}
