import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { childSpan, parseTraceparent } from '../src/trace.ts';

describe('trace ids', () => {
  it('a new trace has a random trace and span id of the W3C lengths, each different, across refills of the random pool', () => {
    // 1,000 spans draw 24 bytes each: the 4 KiB pool is refilled several times.
    const spans = Array.from({ length: 1000 }, () => childSpan(undefined));
    for (const span of spans) {
      assert.match(span.traceId, /^[0-9a-f]{32}$/);
      assert.match(span.spanId, /^[0-9a-f]{16}$/);
      assert.equal(span.sampled, true);
    }
    assert.equal(new Set(spans.map((span) => span.traceId)).size, spans.length);
    assert.equal(new Set(spans.map((span) => span.spanId)).size, spans.length);
  });

  it("a child span keeps its parent's trace and sampling, with a span id of its own", () => {
    const parent = parseTraceparent('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00')!;
    const child = childSpan(parent);
    assert.equal(child.traceId, parent.traceId);
    assert.equal(child.sampled, false);
    assert.match(child.spanId, /^[0-9a-f]{16}$/);
    assert.notEqual(child.spanId, parent.spanId);
  });
});
