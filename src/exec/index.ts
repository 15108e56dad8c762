export { ProcessLostError, SpawnError } from './errors.js';
export { LineSplitter } from './line-splitter.js';
export {
  DEFAULT_KILL_GRACE_MS,
  KILL_WAIT_MS,
  killProcessGroup,
  processGroupAlive,
  terminateProcessGroup,
  type TerminateOptions,
} from './process-group.js';
export { runProcess } from './process-runner.js';
export {
  DEFAULT_MAX_LINE_BYTES,
  DEFAULT_TAIL_LINES,
  type ProcessResult,
  type RunProcessOptions,
} from './run-options.js';
export { killProcessesWithEnvironment, processesWithEnvironment } from './environment-scan.js';
