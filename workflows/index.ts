/** The workflows a Ferry worker registers (bundled by the Temporal worker; sandboxed, no I/O). */
export { pipelineWorkflow } from './pipeline.js';
export { scheduledPipelineWorkflow } from './scheduled.js';
export { targetLockWorkflow } from './target-lock.js';
