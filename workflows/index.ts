/** Every workflow the Vouch worker runs. This file is the worker's `workflowsPath`. */
export { alertInterview } from './alert-interview';
export { bareWorkflow } from './bare';
export { rollupCoordinator } from './rollup-coordinator';
