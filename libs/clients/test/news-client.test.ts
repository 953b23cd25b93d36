/** NewsClient's retries: a call that found no server is tried again; one that ran out of time is not. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { TransientError, UnavailableError } from '@delinkcious/object-model';
import { loadNewsGrpc } from '@delinkcious/proto';
import { NewsClient } from '../src/index.ts';

let server: grpc.Server;
let address: string;
let calls = 0;
let behaviour: 'slow' | 'unavailable' = 'slow';

before(async () => {
  server = new grpc.Server();
  server.addService((await loadNewsGrpc()).News.service, {
    GetNews: (_call: unknown, callback: grpc.sendUnaryData<unknown>) => {
      calls += 1;
      if (behaviour === 'unavailable') callback({ code: grpc.status.UNAVAILABLE, details: 'going away' });
      // 'slow' never answers: the client's deadline ends the call.
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
  );
  address = `127.0.0.1:${port}`;
});
after(() => server.forceShutdown());

test('a call that ran out of time is not repeated: the slow service sees it once, the caller gets 503', async () => {
  behaviour = 'slow';
  calls = 0;
  const client = new NewsClient({ baseUrl: address, timeoutMs: 200, retries: 2 });
  try {
    await assert.rejects(client.getNews('alice'), (error: unknown) => {
      assert.ok(error instanceof UnavailableError && !(error instanceof TransientError), String(error));
      assert.match((error as Error).message, /no answer within 200 ms/);
      return true;
    });
    assert.equal(calls, 1);
  } finally {
    client.close();
  }
});

test('an UNAVAILABLE answer is tried again, up to the retries', async () => {
  behaviour = 'unavailable';
  calls = 0;
  const client = new NewsClient({ baseUrl: address, timeoutMs: 1000, retries: 2 });
  try {
    await assert.rejects(client.getNews('alice'), TransientError);
    assert.equal(calls, 3);
  } finally {
    client.close();
  }
});
