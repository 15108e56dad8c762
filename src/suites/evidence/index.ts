export {
  CTRF_SPEC_VERSION,
  toCtrf,
  type CtrfReport,
  type CtrfRetryAttempt,
  type CtrfStatus,
  type CtrfTest,
} from './ctrf.js';
export { ciName, describeEnvironment, type EvidenceEnvironment } from './environment.js';
export { assertSuiteName, EvidenceError, type EvidenceErrorCode } from './evidence-error.js';
export {
  EvidenceWriter,
  type AttemptPaths,
  type EvidenceWriterOptions,
  type OutputStream,
} from './evidence-writer.js';
export { toJunitXml } from './junit.js';
export { LAYOUT } from './layout.js';
export {
  buildManifest,
  type EvidenceHistory,
  type EvidenceManifest,
  type EvidenceRun,
  type EvidenceSettings,
  type HistoricFlake,
  type HistoricSlowTest,
  type ManifestSuite,
} from './manifest.js';
export { toSummaryMarkdown } from './summary-md.js';
export { escapeXmlAttribute, escapeXmlText, stripInvalidXmlChars } from './xml.js';
