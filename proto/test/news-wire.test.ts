/** pb.News on the wire (@delinkcious/proto): what the service sends is what the client reads back. */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { describe, test } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import type { GetNewsResult } from '@delinkcious/object-model';
import { errorCodeFrom, errorToWire, fromTimestamp, fromWire, loadNewsGrpc, newsMetadataKeys, newsProtoPath, toTimestamp, toWire } from '../src/index.ts';

describe('the pb.News wire module', () => {
  test('finds news.proto from where it sits, and loads pb.News with its one method', async () => {
    assert.ok(existsSync(newsProtoPath), newsProtoPath);
    const { News } = await loadNewsGrpc();
    assert.deepEqual(Object.keys(News.service), ['GetNews']);
    assert.equal((await loadNewsGrpc()).News, News, 'loaded once');
  });

  test('timestamps keep milliseconds both ways; a missing one is the epoch', () => {
    for (const iso of ['2026-03-01T12:00:06.250Z', '1969-12-31T23:59:59.999Z', '1970-01-01T00:00:00.000Z']) {
      assert.equal(fromTimestamp(toTimestamp(new Date(iso))).toISOString(), iso);
    }
    assert.deepEqual(toTimestamp(new Date('2026-03-01T12:00:06.250Z')), { seconds: Date.parse('2026-03-01T12:00:06Z') / 1000, nanos: 250_000_000 });
    assert.equal(fromTimestamp(null).getTime(), 0);
  });

  test('a page goes out as the contract plus titles in the trailer, and comes back whole', () => {
    const page: GetNewsResult = {
      events: [
        { eventType: 'LINK_ADDED', username: 'alice', url: 'https://a.example/1', title: 'Ünïcode, "quotes" and\nnewlines', timestamp: new Date('2026-03-01T12:00:01.5Z') },
        { eventType: 'LINK_DELETED', username: 'carol', url: 'https://c.example/', title: '', timestamp: new Date('2026-03-01T12:00:00Z') },
      ],
      nextToken: 'next',
    };
    const { response, trailer } = toWire(page, grpc.Metadata);
    assert.equal(response.err, '');
    assert.deepEqual(Object.keys(response.events[0]!), ['eventType', 'username', 'url', 'timestamp'], 'no field outside the contract');
    assert.deepEqual(fromWire(response, trailer), page);
  });

  test('without readable titles (a server built from the bare .proto), titles are empty', () => {
    const { response } = toWire({ events: [{ eventType: 'LINK_ADDED', username: 'a', url: 'https://a.example/', title: 'T', timestamp: new Date(0) }], nextToken: '' }, grpc.Metadata);
    assert.equal(fromWire(response, new grpc.Metadata()).events[0]!.title, '');
    const garbled = new grpc.Metadata();
    garbled.set(newsMetadataKeys.titles, Buffer.from('not json'));
    assert.equal(fromWire(response, garbled).events[0]!.title, '');
  });

  test('a service error: message in err, events still a list, its kind in the trailer; an unknown kind reads as none', () => {
    const { response, trailer } = errorToWire('validation', 'username is required', grpc.Metadata);
    assert.deepEqual(response, { events: [], nextToken: '', err: 'username is required' });
    assert.equal(errorCodeFrom(trailer), 'validation');
    const unknown = new grpc.Metadata();
    unknown.set(newsMetadataKeys.errorCode, 'toString');
    assert.equal(errorCodeFrom(unknown), undefined);
    assert.equal(errorCodeFrom(new grpc.Metadata()), undefined);
  });
});
