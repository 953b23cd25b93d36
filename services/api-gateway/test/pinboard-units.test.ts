/** The Pinboard adapter's small parts: XML escaping, argument parsing, the per-user limiter, created_at. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { FastifyRequest } from 'fastify';
import { ValidationError, optionalCreatedAt } from '@delinkcious/object-model';
import { PinboardArgs, pinboardTime } from '../src/pinboard/params.ts';
import { WindowLimiter } from '../src/pinboard/rate-limit.ts';
import { element, escapeXml } from '../src/pinboard/xml.ts';
import { parseXml } from './support/pinboard-clients.ts';

const argsOf = (query: Record<string, unknown>) => new PinboardArgs({ query, body: undefined } as unknown as FastifyRequest);

describe('Pinboard XML', () => {
  test('markup, quotes and whitespace survive an attribute; characters XML cannot carry are dropped', () => {
    const text = `a & b <c> "d" 'e'\tf\ng\r\u0001h\uFFFEi 😀`;
    const parsed = parseXml(`<?xml version="1.0" encoding="UTF-8" ?>\n${element('post', { description: text })}`);
    assert.equal(parsed.attributes.description, `a & b <c> "d" 'e'\tf\ng\rhi 😀`);
    assert.equal(escapeXml('\uD800'), '', 'a lone surrogate is dropped');
  });

  test('text content and children', () => {
    const root = parseXml(`<?xml version="1.0" encoding="UTF-8" ?>\n${element('r', {}, { children: [element('x', {}, { text: '1 < 2' }), element('y', { n: 3 })] })}`);
    assert.deepEqual(
      root.children.map((child) => [child.name, child.text, child.attributes]),
      [
        ['x', '1 < 2', {}],
        ['y', '', { n: '3' }],
      ],
    );
  });
});

describe('Pinboard arguments', () => {
  test('tags: space-, plus- or comma-separated, or repeated; lower-cased; at most the limit', () => {
    assert.deepEqual(argsOf({ tag: 'A b,c' }).tags('tag'), ['a', 'b', 'c']);
    assert.deepEqual(argsOf({ tags: ['x', 'Y z'] }).tags('tags'), ['x', 'y', 'z']);
    assert.deepEqual(argsOf({}).tags('tag'), []);
    assert.throws(() => argsOf({ tag: 'a b c d' }).tags('tag', 3), /tag: at most 3 tags/);
  });

  test('dates and datetimes: real ones only, naming the argument', () => {
    assert.equal(argsOf({ dt: '2010-12-11' }).day('dt'), '2010-12-11');
    assert.equal(argsOf({ dt: '2010-12-11T23:59:59Z' }).day('dt'), '2010-12-11');
    assert.throws(() => argsOf({ dt: '2010-02-30' }).day('dt'), (error: unknown) => error instanceof ValidationError && /dt/.test(error.message));
    assert.throws(() => argsOf({ dt: '11/12/2010' }).day('dt'), ValidationError);
    assert.equal(argsOf({ fromdt: '2010-12-11T19:48:02Z' }).datetime('fromdt')?.toISOString(), '2010-12-11T19:48:02.000Z');
    assert.equal(argsOf({ fromdt: '2010-12-11T20:48:02+01:00' }).datetime('fromdt')?.toISOString(), '2010-12-11T19:48:02.000Z');
    assert.throws(() => argsOf({ fromdt: '2010-12-11' }).datetime('fromdt'), /fromdt must be a UTC datetime/);
    assert.equal(pinboardTime(new Date('2010-12-11T19:48:02.789Z')), '2010-12-11T19:48:02Z');
  });

  test('numbers and flags', () => {
    assert.equal(argsOf({ count: '15' }).integer('count', 1, 100), 15);
    for (const bad of ['0', '101', '-1', '1.5', 'ten']) assert.throws(() => argsOf({ count: bad }).integer('count', 1, 100), /count must be a whole number from 1 to 100/);
    assert.equal(argsOf({ shared: 'no' }).flag('shared'), false);
    assert.equal(argsOf({ toread: 'true' }).flag('toread'), true, 'node-pinboard sends booleans as true/false');
    assert.equal(argsOf({ shared: '' }).flag('shared'), undefined, 'empty is absent');
    assert.throws(() => argsOf({ replace: 'perhaps' }).flag('replace'), /replace/);
  });
});

describe('Pinboard rate limits', () => {
  test('max calls per window per key, then the seconds until the window ends; 0 is unlimited', () => {
    let now = 1_000_000;
    const limiter = new WindowLimiter(2, 60_000, () => now);
    assert.equal(limiter.take('alice'), undefined);
    assert.equal(limiter.take('alice'), undefined);
    now += 15_000;
    assert.equal(limiter.take('alice'), 45);
    assert.equal(limiter.take('bob'), undefined, 'each user has their own window');
    now += 45_000;
    assert.equal(limiter.take('alice'), undefined, 'a new window');
    const off = new WindowLimiter(0, 60_000);
    for (let i = 0; i < 1000; i++) assert.equal(off.take('alice'), undefined);
  });
});

describe('created_at of a link brought from elsewhere', () => {
  const now = new Date('2026-01-02T03:04:05Z');
  test('a Date or RFC 3339 text; a future time is now; anything else is a 400 naming the field', () => {
    assert.equal(optionalCreatedAt(undefined, now), undefined);
    assert.equal(optionalCreatedAt('2010-12-11T19:48:02Z', now)?.toISOString(), '2010-12-11T19:48:02.000Z');
    assert.equal(optionalCreatedAt(new Date('2030-01-01T00:00:00Z'), now), now);
    assert.throws(() => optionalCreatedAt('yesterday', now), /created_at must be a time/);
    assert.throws(() => optionalCreatedAt(new Date('nope'), now), /created_at/);
    assert.throws(() => optionalCreatedAt(12, now), /created_at/);
  });
});
