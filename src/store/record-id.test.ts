import { describe, expect, it } from 'vitest';
import { newRecordId } from './record-id.js';

describe('newRecordId', () => {
  it('is the prefix, the time in ms as 12 hex digits and 12 random hex digits', () => {
    const before = Date.now();
    const id = newRecordId('job');
    const after = Date.now();
    expect(id).toMatch(/^job_[0-9a-f]{24}$/);
    const ms = Number.parseInt(id.slice(4, 16), 16);
    expect(ms).toBeGreaterThanOrEqual(before);
    expect(ms).toBeLessThanOrEqual(after);
  });

  it('sorts by creation time and never repeats', () => {
    const ids: string[] = [];
    for (let i = 0; i < 2_000; i++) ids.push(newRecordId('run'));
    expect(new Set(ids).size).toBe(ids.length);
    const times = ids.map((id) => id.slice(4, 16));
    expect([...times].sort()).toEqual(times);
  });

  it('is random in every digit of its random part', () => {
    const random = Array.from({ length: 200 }, () => newRecordId('job').slice(-12));
    for (let digit = 0; digit < 12; digit++) {
      expect(new Set(random.map((part) => part[digit])).size).toBeGreaterThan(1);
    }
  });
});
