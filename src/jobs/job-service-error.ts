import { FlotillaError } from '../core/index.js';

/**
 * The job service was asked for what its state does not allow: not started or stopping (`E_STATE`), or
 * its home is run by another process (`E_HOME_BUSY`).
 */
export class JobServiceError extends FlotillaError {}
