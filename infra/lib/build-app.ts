// Kept only as an import path for infra/cost/synth.ts until the cost estimator moves to its own workspace: the one
// builder is buildApp in lib/app.ts (Monitoring stacks included). Delete this file with that move.
export { buildApp } from './app.ts';
