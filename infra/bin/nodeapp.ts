// CDK entry point (cdk.json: `node bin/nodeapp.ts`). `-c env=<name>` limits synth/deploy to one environment.
import { App } from 'aws-cdk-lib';
import { buildNodeapp } from '../lib/app.ts';
import { addMonitoringStacks } from '../lib/monitoring-stacks.ts';

const app = new App();
addMonitoringStacks(app, buildNodeapp(app));
app.synth();
