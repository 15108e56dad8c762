import { describe, expect, it } from 'vitest';
import { ERROR_CODES, isErrorCode } from './error-codes.js';
import { FlotillaError, hasCode, QueueFullError } from './errors.js';

describe('error codes', () => {
  it('are one list, so an undeclared code does not compile (checked by `npm run typecheck`)', () => {
    // @ts-expect-error E_NOPE is not one of ERROR_CODES.
    const undeclared = new FlotillaError('E_NOPE', 'nope');
    // @ts-expect-error a code is checked where it is compared, too.
    expect(hasCode(undeclared, 'E_NOPE')).toBe(true);
    expect(hasCode(new QueueFullError(3, 3), 'E_QUEUE_FULL')).toBe(true);
  });

  it('tells a code of the list from any other string, such as an error body’s E_INTERNAL', () => {
    expect(isErrorCode('E_QUEUE_FULL')).toBe(true);
    expect(isErrorCode('E_INTERRUPTED')).toBe(true);
    expect(isErrorCode('E_INTERNAL')).toBe(false);
    expect(isErrorCode('E_HTTP_404')).toBe(false);
    // Not fooled by what every object has.
    expect(isErrorCode('toString')).toBe(false);
    expect(isErrorCode(undefined)).toBe(false);
  });

  it('each name the layer that raises them', () => {
    expect(ERROR_CODES.E_QUEUE_FULL).toBe('core');
    expect(ERROR_CODES.E_STORE_BUSY).toBe('store');
    expect(ERROR_CODES.E_USAGE).toBe('cli');
  });
});
