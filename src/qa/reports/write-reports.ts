import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidArgumentError } from '../../core/index.js';
import type { QaReport } from '../report.js';
import { renderHtml } from './html.js';
import { renderJunit } from './junit.js';
import { renderMarkdown } from './markdown.js';
import { renderSarif } from './sarif.js';

/** The report formats, and the file each is written to in the report's folder. */
export const REPORT_FILES = {
  json: 'report.json',
  html: 'report.html',
  md: 'report.md',
  junit: 'junit.xml',
  sarif: 'report.sarif',
} as const;
export type ReportFormat = keyof typeof REPORT_FILES;
export const REPORT_FORMATS = Object.keys(REPORT_FILES) as ReportFormat[];
/** What `flotilla qa` writes without `--format`. */
export const DEFAULT_FORMATS: readonly ReportFormat[] = ['json', 'html'];

/** The report as JSON: the model itself. */
export function renderJson(report: QaReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

const RENDER: Record<ReportFormat, (report: QaReport) => string> = {
  json: renderJson,
  html: renderHtml,
  md: renderMarkdown,
  junit: renderJunit,
  sarif: renderSarif,
};

/**
 * `json,html` as formats, in the order given, each once.
 * @throws InvalidArgumentError naming a format that is none (`--format: unknown format "pdf"; …`).
 */
export function parseFormats(text: string): ReportFormat[] {
  const formats: ReportFormat[] = [];
  for (const word of text
    .split(',')
    .map((one) => one.trim())
    .filter((one) => one !== '')) {
    if (!(REPORT_FORMATS as readonly string[]).includes(word)) {
      throw new InvalidArgumentError(
        `--format: unknown format ${JSON.stringify(word)}; the formats are ${REPORT_FORMATS.join(', ')}`,
      );
    }
    if (!formats.includes(word as ReportFormat)) formats.push(word as ReportFormat);
  }
  if (formats.length === 0) {
    throw new InvalidArgumentError(
      `--format: expected formats separated by commas: ${REPORT_FORMATS.join(', ')}`,
    );
  }
  return formats;
}

/** A report file written. */
export interface WrittenReport {
  readonly format: ReportFormat;
  readonly path: string;
}

/**
 * Writes the report in each format into `dir` (made when missing), each file whole or not at all: to a
 * temporary file beside it, then renamed over it.
 */
export function writeReports(
  dir: string,
  report: QaReport,
  formats: readonly ReportFormat[],
): WrittenReport[] {
  mkdirSync(dir, { recursive: true });
  return formats.map((format) => {
    const path = join(dir, REPORT_FILES[format]);
    const temporary = `${path}.${process.pid}.tmp`;
    writeFileSync(temporary, RENDER[format](report));
    renameSync(temporary, path);
    return { format, path };
  });
}
