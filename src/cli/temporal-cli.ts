/** The Temporal implementations of the engine-dependent commands (loaded lazily through engine.ts). */
export { temporalCancel, temporalResume, temporalRun } from './temporal-run.js';
export { temporalJobArtifacts, temporalListJobs, temporalShowJob } from './temporal-jobs.js';
