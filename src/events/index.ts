export { EventBus, type EventListener } from './event-bus.js';
export { JsonlSink } from './jsonl-sink.js';
export { formatSseMessage, SseSink, type SseSinkOptions } from './sse.js';
export {
  ITEM_STATUSES,
  JOB_STATUSES,
  nowIso,
  RUN_STATUSES,
  subjectOf,
  TERMINAL_JOB_STATUSES,
  type FlotillaEvent,
  type FlotillaEventType,
  type ItemLogEvent,
  type ItemStatus,
  type ItemStatusEvent,
  type JobLogEvent,
  type JobResultEvent,
  type JobStatus,
  type JobStatusEvent,
  type OutputStream,
  type QaPageEvent,
  type QaProgress,
  type QaVisitEvent,
  type RunStatus,
  type RunStatusEvent,
  type SequencedEvent,
} from './types.js';
