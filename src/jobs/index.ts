export { MAX_JOB_BATCH } from './job-admission.js';
export { DENIED_JOB_ENV } from './job-env.js';
export {
  assertAgentKnown,
  assertJobEnvAllowed,
  JobRequestError,
  jobRequestSchema,
  parseJobInput,
  parseJobRequest,
  type JobRequest,
} from './job-request.js';
export { type JobOutcome, type JobResult, type JobTimings } from './job-runner.js';
export type { JobListQuery, JobScheduler, SchedulerHealth, SchedulerLimits } from './job-scheduler.js';
export { JobServiceError } from './job-service-error.js';
export { JobService } from './job-service.js';
export { DEFAULT_JOB_TIMEOUT_MS, type JobServiceOptions } from './job-service-options.js';
export { toJobView, type JobView } from './job-view.js';
