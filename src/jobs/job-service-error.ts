import { FlotillaError, type ErrorCode } from '../core/index.js';

/** The codes a `JobServiceError` carries. */
export type JobServiceErrorCode = Extract<ErrorCode, 'E_STATE' | 'E_HOME_BUSY'>;

/**
 * The job service was asked for what its state does not allow: not started or stopping (`E_STATE`), or
 * its home is run by another process (`E_HOME_BUSY`).
 */
export class JobServiceError extends FlotillaError {
  declare readonly code: JobServiceErrorCode;

  constructor(code: JobServiceErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
