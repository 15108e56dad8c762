export { DEFAULT_EVENT_PAGE_SIZE, EventRepository, type EventListOptions } from './event-repository.js';
export {
  JobRepository,
  type JobEnding,
  type JobListOptions,
  type JobPatch,
  type JobRecord,
  type NewJob,
} from './job-repository.js';
export { HeldLease, type HeldLeaseOptions } from './held-lease.js';
export { Journal } from './journal.js';
export { newRecordId } from './record-id.js';
export { describeLeaseOwner, leaseOwnerAlive, newLeaseOwner } from './lease-owner.js';
export {
  LeaseRepository,
  type LeaseAttempt,
  type LeaseRecord,
  type LeaseRequest,
} from './lease-repository.js';
export {
  QaRepository,
  type QaOutcomeInput,
  type QaQueuedInput,
  type QaSkippedInput,
  type QaUrlRecord,
  type QaUrlState,
} from './qa-repository.js';
export { MIGRATIONS, SCHEMA_VERSION, type Migration } from './migrations.js';
export { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, type Page, type PageOptions } from './pagination.js';
export {
  RunItemRepository,
  type RunItemInput,
  type RunItemListOptions,
  type RunItemRecord,
} from './run-item-repository.js';
export {
  runLeaseName,
  RunRepository,
  type NewRun,
  type RunKind,
  type RunListOptions,
  type RunPatch,
  type RunRecord,
} from './run-repository.js';
export {
  DEFAULT_BUSY_TIMEOUT_MS,
  openStore,
  Store,
  STORE_FILE_NAME,
  type StoreLocation,
  type StoreOptions,
  type StoreSettings,
  type SynchronousMode,
} from './store.js';
export { StoreError, type StoreErrorCode } from './store-error.js';
export {
  DEFAULT_HISTORY_RUNS,
  DEFAULT_SLOWEST_LIMIT,
  SuiteHistoryRepository,
  type FlakeRate,
  type FlakeRateOptions,
  type HistoryTestStatus,
  type SlowestOptions,
  type SlowTest,
  type SuiteRunInput,
  type SuiteRunRecord,
  type TestResultInput,
} from './suite-history-repository.js';
