import { InvalidArgumentError } from '../../core/index.js';
import {
  compareWithBaseline,
  DEFAULT_FORMATS,
  parseFormats,
  readBaseline,
  writeReports,
  type QaReport,
  type ReportFormat,
  type Severity,
} from '../../qa/index.js';
import { UsageError } from '../errors.js';

/** How `flotilla qa` writes a run's report: the formats, and the baseline it is compared with. */
export interface ReportSettings {
  readonly formats: readonly ReportFormat[];
  readonly baseline?: QaReport;
  readonly newOnly: boolean;
}

/**
 * `--format`, `--baseline` and `--new-only`, read before anything starts: a bad format, a baseline file
 * that cannot be read or is no report, or `--new-only` without a baseline are usage errors naming the flag.
 */
export function reportSettings(options: {
  format?: string;
  baseline?: string;
  newOnly?: true;
}): ReportSettings {
  try {
    const formats = options.format === undefined ? DEFAULT_FORMATS : parseFormats(options.format);
    if (options.newOnly === true && options.baseline === undefined) {
      throw new UsageError('--new-only: only with --baseline REPORT.json (new against what?)');
    }
    return {
      formats,
      newOnly: options.newOnly === true,
      ...(options.baseline === undefined ? {} : { baseline: readBaseline(options.baseline) }),
    };
  } catch (error) {
    if (error instanceof InvalidArgumentError) throw new UsageError(error.message);
    throw error;
  }
}

/**
 * The run's report as the user gets it — compared with the baseline when there is one, its status then
 * set by the new findings alone with `--new-only` — written in every format into `folder`. Returns that
 * report and the file to point the user to (the HTML report when written).
 */
export function finishReport(
  report: QaReport,
  folder: string,
  settings: ReportSettings,
): { report: QaReport; file: string } {
  const failOn = (report.run.config['fail_on'] as Severity | undefined) ?? 'high';
  const final =
    settings.baseline === undefined
      ? report
      : compareWithBaseline(report, settings.baseline, { failOn, newOnly: settings.newOnly });
  const written = writeReports(folder, final, settings.formats);
  const main = written.find((one) => one.format === 'html') ?? written[0]!;
  return { report: final, file: main.path };
}
