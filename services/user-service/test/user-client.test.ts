/** UserClient against a real user-service server: it must behave like the local manager, and retry only what is safe. */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { UserClient } from '@delinkcious/clients';
import { UnavailableError } from '@delinkcious/object-model';
import { DefaultUserManager } from '../src/manager.ts';
import { MemoryUserStore } from '../src/stores/memory-user-store.ts';
import { startUserServer, userClientOverHttp } from './support/user-server.ts';
import { peopleAndFeedsBehaviour } from './support/people-and-feeds-behaviour.ts';
import { userManagerBehaviour } from './support/user-manager-behaviour.ts';

userManagerBehaviour('local DefaultUserManager', async () => ({
  manager: new DefaultUserManager({ store: new MemoryUserStore() }),
  close: async () => {},
}));

userManagerBehaviour('UserClient over HTTP', userClientOverHttp);

peopleAndFeedsBehaviour('local DefaultUserManager', async () => ({
  manager: new DefaultUserManager({ store: new MemoryUserStore() }),
  close: async () => {},
}));
peopleAndFeedsBehaviour('UserClient over HTTP', userClientOverHttp);

describe('UserClient', () => {
  test('a wrong caller token is refused by the service', async () => {
    const server = await startUserServer();
    const client = new UserClient({ baseUrl: server.url, callerToken: 'forged-caller-token-0000' });
    try {
      await assert.rejects(client.register({ username: 'eve', name: '', email: '' }), UnavailableError);
      assert.equal(await server.store.getUser('eve'), null);
    } finally {
      client.close();
      await server.close();
    }
  });

  describe('retries', () => {
    // A service that answers 503 to the first request of each path, then succeeds.
    let flaky: Server;
    let baseUrl: string;
    const requests: string[] = [];

    before(async () => {
      flaky = createServer((request, response) => {
        const path = request.url ?? '';
        requests.push(path);
        response.setHeader('content-type', 'application/json');
        if (requests.filter((seen) => seen === path).length === 1) {
          response.statusCode = 503;
          response.end(JSON.stringify({ err: 'restarting' }));
          return;
        }
        const answers: Record<string, unknown> = {
          '/validate': { err: '', user: { username: 'alice', name: 'A', email: '' } },
          '/login': { err: '', session: 's', username: 'alice', expires_at: new Date().toISOString() },
        };
        response.end(JSON.stringify(answers[path] ?? { err: '' }));
      });
      await new Promise<void>((resolve) => flaky.listen(0, '127.0.0.1', resolve));
      const address = flaky.address();
      baseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    });
    after(() => new Promise<void>((resolve) => flaky.close(() => resolve())));

    test('validate is idempotent: retried after a transient failure', async () => {
      const client = new UserClient({ baseUrl, callerToken: 'caller-token-for-tests' });
      try {
        // An older user-service answers no kind or scope: a session (not dlk_) that may write, as before scopes.
        assert.deepEqual(await client.validate('token'), { user: { username: 'alice', name: 'A', email: '' }, kind: 'session', scope: 'write' });
        assert.equal(requests.filter((path) => path === '/validate').length, 2);
      } finally {
        client.close();
      }
    });

    test('login creates a session each time: not retried', async () => {
      const client = new UserClient({ baseUrl, callerToken: 'caller-token-for-tests' });
      try {
        await assert.rejects(client.login('alice'), UnavailableError);
        assert.equal(requests.filter((path) => path === '/login').length, 1);
      } finally {
        client.close();
      }
    });
  });
});
