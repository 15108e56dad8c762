export { parseReport } from './parse-report.js';
export { FORMAT_NAMES, ReportError, type ReportIssue } from './report-error.js';
export { MESSAGE_CHARS, MESSAGE_LINES, type ParseReportOptions } from './test-case.js';
