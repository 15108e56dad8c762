export { ERROR_CODES, isErrorCode, type ErrorCode } from './error-codes.js';
export {
  CancelledError,
  FlotillaError,
  HaltedError,
  hasCode,
  InterruptedError,
  InvalidArgumentError,
  QueueFullError,
  TimeoutError,
} from './errors.js';
export { describeIssues, SourceError, type SourceErrorDetails, type SourceIssue } from './source-error.js';
export { Limiter } from './limiter.js';
export type { LimiterEvents, LimiterOptions, LimiterStats, RunOptions, Task } from './limiter-options.js';
export {
  mapOrdered,
  mapSkip,
  type Mapper,
  type MapOrderedOptions,
  type MapOrderedResult,
  type MapSkip,
  type Settled,
} from './map-ordered.js';
export {
  mapOrderedIterable,
  type MapOrderedIterableOptions,
  type MapOrderedStream,
} from './map-ordered-iterable.js';
export type { Items } from './item-source.js';
export { Lifecycle, type LifecycleOptions, type LifecycleState } from './lifecycle.js';
export { MAX_TIMER_MS, sleep, stopwatch, withTimeout, type Deadline } from './deadline.js';
export { NEVER_ABORTED } from './signals.js';
export { assertCount, assertNonNegative } from './validate.js';
export { KeyedRateLimiter, type KeyedRateLimiterOptions } from './rate-limiter.js';
export { Frontier, type FrontierEntry, type FrontierOptions, type FrontierStats } from './frontier.js';
