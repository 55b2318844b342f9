// A recording stand-in for the programs `npm run up` / `npm run down` run (cdk, docker, the bash scripts, and the
// tools the settings step looks for). Each call is appended to the fake account's state file (FAKE_AWS_STATE) and
// changes it as the real program would change AWS: cdk bootstrap writes the version parameter, cdk deploy creates
// stacks with outputs and task definitions running the given digests, push-images.sh adds image tags. A call
// matching the state's `failOn` fails once (exit 1), to test resuming. CommonJS: it runs outside the workspace.
const { readFileSync, writeFileSync } = require('node:fs');
const { spawnSync } = require('node:child_process');
const { createHash } = require('node:crypto');

const [tool, ...args] = process.argv.slice(2);
const file = process.env.FAKE_AWS_STATE;
// Real bash for everything but the repository's scripts.
if (tool === 'bash' && !String(args[0] ?? '').startsWith('scripts/')) {
  const r = spawnSync('/bin/bash', args, { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}
const state = JSON.parse(readFileSync(file, 'utf8'));
const save = () => writeFileSync(file, JSON.stringify(state, null, 2));
const line = [tool, ...args].join(' ');
state.calls.push(line);
if (state.failOn && line.includes(state.failOn)) {
  state.failOn = undefined;
  save();
  console.error(`stand-in ${tool}: injected failure`);
  process.exit(1);
}
const context = (key) => {
  for (let i = 0; i < args.length; i++)
    if (args[i] === '-c' && args[i + 1]?.startsWith(`${key}=`)) return args[i + 1].slice(key.length + 1);
  return undefined;
};
const digest = (text) => `sha256:${createHash('sha256').update(text).digest('hex')}`;

function environmentStacks(env) {
  return ['Network', 'Data', 'Service', 'Monitoring'].map((s) => `Nodeapp-${env}-${s}`);
}

if (tool === 'cdk') {
  const [command] = args;
  const stacks = args
    .filter((a) => /^Nodeapp/.test(a))
    .flatMap((a) => (a.endsWith('-*') ? environmentStacks(context('env')) : [a]));
  if (command === 'bootstrap') {
    const account = /^aws:\/\/(\d+)\//.exec(args[1])[1];
    state.bootstrapped[account] = '99';
  } else if (command === 'deploy') {
    for (const name of stacks) {
      const stack = { status: state.stacks[name] ? 'UPDATE_COMPLETE' : 'CREATE_COMPLETE', outputs: {}, resources: [] };
      const image = (n) =>
        `${state.account}.dkr.ecr.us-east-1.amazonaws.com/${state.repositories[n]}@${context(`${n}ImageDigest`)}`;
      if (name.endsWith('-Service')) {
        stack.outputs.PublicUrl = 'https://d1234.cloudfront.net';
        stack.resources.push({ type: 'AWS::SNS::Topic', id: `arn:aws:sns:us-east-1:${state.account}:alarms` });
        stack.resources.push({ type: 'AWS::ECS::TaskDefinition', id: `${name}-task-${state.calls.length}` });
        state.taskDefinitions[`${name}-task-${state.calls.length}`] = [image('app')];
      }
      if (name.endsWith('-Monitoring')) {
        stack.outputs.GrafanaUrl = 'https://d1234.cloudfront.net/grafana/';
        stack.resources.push({ type: 'AWS::ECS::TaskDefinition', id: `${name}-task-${state.calls.length}` });
        state.taskDefinitions[`${name}-task-${state.calls.length}`] = [
          'prometheus',
          'alertmanager',
          'grafana',
          'ecsSd',
        ].map(image);
      }
      state.stacks[name] = stack;
    }
  } else if (command === 'destroy') {
    for (const name of stacks) delete state.stacks[name];
  }
} else if (tool === 'bash' && args[0] === 'scripts/push-images.sh') {
  const [, registry, tag] = args;
  const digests = {};
  for (const [name, repository] of Object.entries(state.repositories)) {
    digests[name] = digest(`${registry}/${repository}:${tag}`);
    state.images[repository] = { ...(state.images[repository] ?? {}), [tag]: digests[name] };
  }
  console.log(`digests=${JSON.stringify(digests)}`);
}
save();
