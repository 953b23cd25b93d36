/** immutable(): data shared instead of copied, which nobody can change. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { copyData } from '../src/copy-data.ts';
import { immutable, isImmutable } from '../src/immutable.ts';

const asJson = (value: unknown) => JSON.stringify(value, (_key, item: unknown) => (typeof item === 'bigint' ? `${item}n` : item));

const page = () => ({
  links: [
    { url: 'https://a.example/', tags: ['x', 'y'], createdAt: new Date('2026-12-05T01:02:03.004Z'), checkedAt: null, savedBy: 2, id: 7n },
    { url: 'https://b.example/', tags: [], createdAt: new Date(0), checkedAt: new Date(1), savedBy: 0, id: 8n },
  ],
  nextPageToken: 'abc',
});

test('a copy, frozen all the way down, equal to the original and sharing no object with it', () => {
  const original = page();
  const made = immutable(original);
  assert.equal(asJson(made), asJson(original));
  assert.notEqual(made, original);
  assert.notEqual(made.links[0]!.createdAt, original.links[0]!.createdAt);
  for (const value of [made, made.links, made.links[0]!, made.links[0]!.tags, made.links[1]!.checkedAt!]) {
    assert.ok(Object.isFrozen(value));
    assert.ok(isImmutable(value));
  }
  assert.throws(() => made.links.push(made.links[0]!), TypeError);
  assert.throws(() => {
    made.links[0]!.url = 'https://changed.example/';
  }, TypeError);
  assert.equal(made.links[0]!.url, 'https://a.example/');
  original.links[0]!.url = 'https://changed.example/';
  assert.equal(made.links[0]!.url, 'https://a.example/', 'the original changing leaves the copy alone');
});

test('its dates keep their time: every setter throws, and the date still reads and writes as a Date', () => {
  const date = immutable(new Date('2026-12-05T01:02:03.004Z'));
  const setters = Object.getOwnPropertyNames(Date.prototype).filter((name) => name.startsWith('set'));
  assert.ok(setters.includes('setTime') && setters.includes('setUTCHours') && setters.length >= 15);
  for (const name of setters) {
    assert.throws(() => (date as unknown as Record<string, (n: number) => number>)[name]!(0), TypeError, name);
  }
  assert.equal(date.getTime(), Date.parse('2026-12-05T01:02:03.004Z'));
  assert.ok(date instanceof Date);
  assert.equal(date.toISOString(), '2026-12-05T01:02:03.004Z');
  assert.equal(JSON.stringify({ date }), '{"date":"2026-12-05T01:02:03.004Z"}');
  assert.deepEqual(structuredClone(date), new Date('2026-12-05T01:02:03.004Z'));
});

test('what is immutable already is kept, not copied again; a frozen object alone is not immutable', () => {
  const made = immutable(page());
  assert.equal(immutable(made), made);
  const wrapped = immutable({ page: made });
  assert.equal(wrapped.page, made);
  const frozen = Object.freeze({ at: new Date(0) });
  assert.equal(isImmutable(frozen), false, 'its date could still be set');
  assert.equal(isImmutable('text'), false);
  assert.equal(isImmutable(null), false);
});

test('its mark is its own and invisible: keys, JSON, spreads and deep equality see the data alone', () => {
  const original = page();
  const made = immutable(original);
  assert.deepEqual(Object.keys(made.links[0]!), Object.keys(original.links[0]!));
  assert.deepStrictEqual(made.links[0]!.tags, ['x', 'y']);
  assert.deepStrictEqual(immutable({ n: 1, words: ['a'] }), { n: 1, words: ['a'] });
  assert.equal(asJson(made), asJson(original));
  const spread = { ...made.links[0]! };
  assert.equal(isImmutable(spread), false, 'a spread copy is the caller\'s to change');
  spread.url = 'https://mine.example/';
  const heir = Object.create(made.links[0]!) as object;
  assert.equal(isImmutable(heir), false, 'an object inheriting from an immutable one can still be changed');
});

test('copyData shares immutable data as it is and copies the rest around it', () => {
  const made = immutable(page());
  assert.equal(copyData(made), made);
  const mixed = { page: made, mine: { at: new Date(0) } };
  const copied = copyData(mixed);
  assert.notEqual(copied, mixed);
  assert.equal(copied.page, made);
  assert.notEqual(copied.mine, mixed.mine);
  assert.notEqual(copied.mine.at, mixed.mine.at);
});

test('only plain data can be made immutable', () => {
  assert.throws(() => immutable({ values: new Map([[1, 2]]) }), /Map is not plain data/);
  assert.throws(() => immutable({ run: () => 1 }), /function is not data/);
  const cycle: Record<string, unknown> = {};
  cycle.self = cycle;
  assert.throws(() => immutable(cycle), /cycle/);
  const bare = immutable(Object.assign(Object.create(null) as Record<string, number>, { n: 1 }));
  assert.equal(Object.getPrototypeOf(bare), null);
  assert.equal(bare.n, 1);
});
