/**
 * The QA report's formats (docs/qa.md, "Reports"): JSON (the model), a single-file HTML report, Markdown,
 * JUnit XML and SARIF 2.1.0, all rendered from one `QaReport`; and the comparison with a baseline.
 */
export { compareWithBaseline, failingFindings, readBaseline, reportStatus } from './baseline.js';
export { renderHtml } from './html.js';
export { renderJunit } from './junit.js';
export { renderMarkdown } from './markdown.js';
export { renderSarif, SARIF_SCHEMA } from './sarif.js';
export {
  DEFAULT_FORMATS,
  parseFormats,
  renderJson,
  REPORT_FILES,
  REPORT_FORMATS,
  writeReports,
  type ReportFormat,
  type WrittenReport,
} from './write-reports.js';
