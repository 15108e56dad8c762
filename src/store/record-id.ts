import { randomBytes } from 'node:crypto';

/**
 * A new id for a stored record: `<prefix>_` then the creation time in ms as 12 hex digits, then 48 random
 * bits as 12 more (for example `job_019ad7c3e1f04b6d2a9c8e17`).
 *
 * Ids sort by creation time, so the indexes keyed by them (the jobs' primary key, the events' subject
 * index, a run's items) grow at their right edge: a new row touches the pages the last one did instead
 * of a random page, which keeps a busy store's writes cheap. The random part keeps ids unguessable and
 * unique across processes (two ids made in the same millisecond collide with a chance of 2⁻⁴⁸).
 */
export function newRecordId(prefix: string): string {
  return `${prefix}_${Date.now().toString(16).padStart(12, '0')}${randomBytes(6).toString('hex')}`;
}
