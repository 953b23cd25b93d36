/** user-service's HTTP transport on a real port, with mutual auth on, over a fresh in-memory manager. */
import { UserClient } from '@delinkcious/clients';
import { generateCallerTokens, listen, mutualAuthFromTokens } from '@delinkcious/kit';
import { quietServiceServer } from '@delinkcious/testing';
import { DefaultUserManager, type UserManagerOptions } from '../../src/manager.ts';
import { MemoryUserStore } from '../../src/stores/memory-user-store.ts';
import { registerUserRoutes } from '../../src/transport/http.ts';

export interface RunningServer {
  url: string;
  /** The token the gateway sends as Delinkcious-Caller-Token. */
  callerToken: string;
  store: MemoryUserStore;
  manager: DefaultUserManager;
  close(): Promise<void>;
}

export async function startUserServer(options: Partial<UserManagerOptions> = {}): Promise<RunningServer> {
  const store = new MemoryUserStore();
  const manager = new DefaultUserManager({ store, ...options });
  const tokens = generateCallerTokens(['api-gateway', 'user-service']);
  const server = quietServiceServer('user-service', mutualAuthFromTokens('user-service', tokens));
  registerUserRoutes(server, manager);
  const url = await listen(server, '127.0.0.1', 0);
  return { url, callerToken: tokens['api-gateway']!, store, manager, close: () => server.close() };
}

/** A UserClient over a fresh server: the remote manager, for behaviour suites run against both. */
export async function userClientOverHttp(): Promise<{ manager: UserClient; close(): Promise<void> }> {
  const server = await startUserServer();
  const client = new UserClient({ baseUrl: server.url, callerToken: server.callerToken });
  return {
    manager: client,
    async close() {
      client.close();
      await server.close();
    },
  };
}
