// CDK entry point (cdk.json: `node bin/nodeapp.ts`). `-c env=<name>` limits synth/deploy to one environment.
import { App } from 'aws-cdk-lib';
import { buildNodeapp } from '../lib/app.ts';

const app = new App();
buildNodeapp(app);
app.synth();
