/** Every workflow the Vouch worker runs. This file is the worker's `workflowsPath`. */
export { bareWorkflow } from './bare';
