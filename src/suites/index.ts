/**
 * The suite orchestrator: a project's test suites in parallel, each attempt in its own process group
 * with a fresh output folder, statuses derived from every attempt, retries of the failed tests only,
 * flaky detection, one evidence folder (see docs/suites.md).
 */
export { DEFAULT_SUITE_TIMEOUT_S, OUT_DIR_VARIABLE, OUT_PLACEHOLDER } from './attempt.js';
export { HISTORY_WINDOW_RUNS, type SuiteHistory, type SuitesHistoryReport } from './history.js';
export { attemptStatus, mergeTests, suiteStatus } from './outcome.js';
export {
  runSuites,
  type RunSuitesOptions,
  type SuitesObserver,
  type SuitesRun,
  type SuitesSettings,
} from './run-suites.js';
export {
  suitesStepType,
  type SuitesStep,
  type SuitesStepDeps,
  type SuitesStepOutput,
} from './suites-step.js';
export type {
  AttemptResult,
  AttemptStatus,
  SuiteResult,
  SuiteStatus,
  TestCase,
  TestCounts,
  TestOutcome,
  TestResult,
  TestStatus,
} from './types.js';
