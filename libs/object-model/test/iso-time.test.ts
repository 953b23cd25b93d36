/** isoTime: toISOString's text, for every date the wire can carry. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isoTime } from '../src/iso-time.ts';

const same = (ms: number) => assert.equal(isoTime(new Date(ms)), new Date(ms).toISOString(), `at ${ms} ms`);

test('writes what toISOString writes across the years 1000-9999, to the millisecond', () => {
  const first = Date.UTC(1000, 0, 1);
  const last = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
  for (const ms of [first, last, 0, -1, 1, Date.UTC(2000, 1, 29, 12, 0, 0, 5), Date.UTC(2026, 11, 31, 23, 59, 59, 999)]) same(ms);
  // Steps of a prime number of milliseconds reach every field's every value (days, hours, ms, leap years).
  for (let ms = first; ms <= last; ms += 3_155_760_007) same(ms);
  for (let ms = Date.UTC(2024, 0, 1); ms < Date.UTC(2025, 0, 1); ms += 86_399_993) same(ms);
  for (let ms = 1_700_000_000_000; ms < 1_700_000_000_000 + 100_000; ms += 7) same(ms);
});

test('hands other years to toISOString: before 1000, past 9999, before year 0', () => {
  for (const ms of [Date.UTC(999, 11, 31, 23, 59, 59, 999), Date.UTC(10000, 0, 1), Date.UTC(-1, 5, 1), -8.64e15, 8.64e15]) same(ms);
  assert.equal(isoTime(new Date(Date.UTC(10000, 0, 1))), '+010000-01-01T00:00:00.000Z');
});

test('an invalid date throws the RangeError toISOString throws', () => {
  assert.throws(() => isoTime(new Date(Number.NaN)), RangeError);
});
