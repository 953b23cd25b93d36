import assert from 'node:assert/strict';
import { test } from 'node:test';
import { copyData } from '../src/copy-data.ts';

class Point {
  constructor(
    readonly x: number,
    readonly y: number,
  ) {}
}

const link = () => ({
  id: 7,
  url: 'https://a.example/',
  title: 'A',
  tags: ['x', 'y'],
  private: false,
  checkedAt: new Date('2026-12-05T00:00:00.000Z'),
  invalidSince: null,
  note: undefined,
  nested: { deeper: [{ at: new Date(0), n: 1n }] },
});

test('plain data comes out as structuredClone makes it, sharing no object with the original', () => {
  const original = { links: [link(), link()], bare: Object.assign(Object.create(null) as object, { bare: true }) };
  const copied = copyData(original);
  assert.deepStrictEqual(copied, structuredClone(original));
  const [first, firstCopy] = [original.links[0]!, copied.links[0]!];
  assert.notEqual(copied.links, original.links);
  assert.notEqual(firstCopy, first);
  assert.notEqual(firstCopy.tags, first.tags);
  assert.notEqual(firstCopy.checkedAt, first.checkedAt);
  firstCopy.tags.push('z');
  firstCopy.checkedAt.setTime(0);
  firstCopy.nested.deeper[0]!.n = 2n;
  assert.deepStrictEqual(first, link(), 'changing the copy leaves the original as it was');
  assert.ok('note' in firstCopy, 'a key holding undefined is kept');
  assert.equal(Object.getPrototypeOf(copied.bare), Object.prototype, 'an object without a prototype comes out an ordinary object, as with structuredClone');
});

test('primitives, holes and invalid dates as structuredClone keeps them', () => {
  for (const value of [undefined, null, 0, -0, Number.NaN, 'text', true, 12n]) assert.deepStrictEqual(copyData(value), structuredClone(value));
  const holes = [1, , 3]; // eslint-disable-line no-sparse-arrays
  const copied = copyData(holes);
  assert.equal(copied.length, 3);
  assert.equal(1 in copied, false, 'a hole stays a hole');
  assert.ok(Number.isNaN(copyData(new Date(Number.NaN)).getTime()));
});

test('anything but plain data goes to structuredClone: the same result, the same errors', () => {
  const other = { point: new Point(1, 2), map: new Map([['k', new Date(1)]]), set: new Set([1]), bytes: new Uint8Array([1, 2]), error: new RangeError('no') };
  assert.deepStrictEqual(copyData(other), structuredClone(other));
  assert.equal(Object.getPrototypeOf(copyData(other).point), Object.prototype, 'a class instance loses its class, as with structuredClone');
  assert.throws(() => copyData({ run: () => 1 }), { name: 'DataCloneError' });
  assert.throws(() => copyData({ s: Symbol('s') }), { name: 'DataCloneError' });
});

test('a cycle is copied by structuredClone, cycle and all', () => {
  const node: { name: string; self?: unknown } = { name: 'loop' };
  node.self = node;
  const copied = copyData({ node }) as { node: { name: string; self: unknown } };
  assert.equal(copied.node.self, copied.node);
  assert.notEqual(copied.node, node);
});
