/** user-service's HTTP transport on a real port, with mutual auth on, over a fresh in-memory manager. */
import { ServiceMetrics, createLogger, createServiceServer, generateCallerTokens, listen, mutualAuthFromTokens } from '@delinkcious/kit';
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
  const server = createServiceServer({
    service: 'user-service',
    logger: createLogger('user-service').child({}, { level: 'silent' }),
    metrics: new ServiceMetrics('user-service'),
    mutualAuth: mutualAuthFromTokens('user-service', tokens),
  });
  registerUserRoutes(server, manager);
  const url = await listen(server, '127.0.0.1', 0);
  return { url, callerToken: tokens['api-gateway']!, store, manager, close: () => server.close() };
}
