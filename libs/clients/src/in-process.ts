/**
 * A manager of the same process, called as its network client would call it:
 * only the routes authorization.ts gives the caller, arguments and results
 * copied (a caller cannot share objects with a remote manager; immutable data,
 * which neither side can change, is shared as it is), and failures
 * reaching the caller as the client would have mapped them. Typed errors pass
 * through as they are; anything else is what the service's 500 "internal
 * error" becomes in the client: an UnavailableError, logged by the service.
 */
import {
  DelinkciousError,
  ForbiddenError,
  UnavailableError,
  errorFromStatus,
} from '@delinkcious/object-model';
import {
  copyData,
  refusedCall,
  type AllowedCall,
  type LocalManagers,
  type LocalService,
  type LocalServiceName,
  type ServiceContext,
  type ServiceName,
} from '@delinkcious/kit';

type Routes<S extends LocalServiceName> = { readonly [method in keyof LocalManagers[S]]: AllowedCall };

/** The route each method takes over the network: the one its client sends (and authorization.ts lists). */
export const routesOf: { readonly [S in LocalServiceName]: Routes<S> } = {
  'link-service': {
    getLinks: 'GET /links',
    addLink: 'POST /links',
    updateLink: 'PUT /links',
    deleteLink: 'DELETE /links',
    getPublicLinks: 'GET /public-links',
    countPublicLinks: 'GET /public-links/count',
    getPopular: 'POST /popular',
    startImport: 'POST /imports',
    getImport: 'GET /imports/:id',
    getTags: 'GET /tags',
    renameTag: 'PUT /tags',
    deleteTag: 'DELETE /tags',
    bulkEdit: 'POST /links/bulk',
    recheckLink: 'POST /links/recheck',
    lastChange: 'GET /links/last-change',
    linkDates: 'GET /links/dates',
  },
  'user-service': {
    register: 'POST /register',
    getUser: 'GET /users/:username',
    login: 'POST /login',
    logout: 'POST /logout',
    validate: 'POST /validate',
    createApiToken: 'POST /users/:username/tokens',
    listApiTokens: 'GET /users/:username/tokens',
    revokeApiToken: 'DELETE /users/:username/tokens/:id',
    newSignInState: 'POST /sign-in-states',
    consumeSignInState: 'POST /sign-in-states/consume',
    getSettings: 'GET /users/:username/settings',
    updateSettings: 'PUT /users/:username/settings',
    searchUsers: 'GET /users',
    getFeedToken: 'GET /users/:username/feed-token',
    newFeedToken: 'POST /users/:username/feed-token',
    feedTokenOwner: 'POST /feed-tokens/owner',
  },
  'social-graph-service': {
    follow: 'POST /follow',
    unfollow: 'POST /unfollow',
    getFollowing: 'GET /following/*',
    getFollowers: 'GET /followers/*',
    getFollowingPage: 'GET /following/*',
    getFollowersPage: 'GET /followers/*',
    getFollowCounts: 'GET /follow-counts/*',
    getAllFollowersPage: 'GET /all-followers',
  },
  'news-service': { getNews: 'POST /pb.News/GetNews' },
  'link-checker': { check: 'POST /' },
};

/** news-service answers over gRPC: its client maps failures its own way. */
const overGrpc = (service: LocalServiceName) => service === 'news-service';

/** What the caller would have received over the network for `error`, thrown by `service`'s manager. */
export function asRemoteError(service: LocalServiceName, error: unknown, logger: LocalService['logger']): Error {
  if (error instanceof DelinkciousError) return error;
  if (overGrpc(service)) {
    logger.error({ err: error }, 'GetNews failed');
    return new UnavailableError('the news feed is unavailable right now', { cause: error });
  }
  // The kit server answers an error's own 4xx status (fastify's errors carry one), anything else 500.
  const status = (error as { statusCode?: unknown } | undefined)?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return errorFromStatus(status, error instanceof Error ? error.message : String(error));
  }
  logger.error({ err: error }, 'request failed');
  return new UnavailableError(`${service} failed: internal error`, { cause: error });
}

/** What a call refused by authorization.ts reaches the caller as. */
function refusal(service: LocalServiceName, message: string): Error {
  return overGrpc(service) ? new UnavailableError(`${service} failed: ${message}`) : new ForbiddenError(message);
}

/** `local`'s manager as `caller` may call it. */
export function inProcess<S extends LocalServiceName>(caller: ServiceName, local: LocalService<S>): LocalManagers[S] {
  const { name: service, manager, logger } = local;
  const routes = routesOf[service] as Record<string, AllowedCall>;
  const target = manager as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
  const adapter: Record<string, (...args: unknown[]) => Promise<unknown>> = {};
  for (const [method, call] of Object.entries(routes)) {
    const [verb, route] = call.split(' ', 2) as [string, string];
    const refused = refusedCall(service, caller, verb, route);
    adapter[method] = refused
      ? async () => {
          throw refusal(service, refused);
        }
      : async (...args) => {
          let result: unknown;
          try {
            result = await target[method]!.apply(manager, copyData(args));
          } catch (error) {
            throw asRemoteError(service, error, logger);
          }
          return result === undefined ? undefined : copyData(result);
        };
  }
  return adapter as unknown as LocalManagers[S];
}

/**
 * The manager of `service` for this context's service: in-process when they
 * share the embedded process, else the network client `remote()` builds
 * (closed with the service).
 */
export function managerOf<S extends LocalServiceName>(
  context: Pick<ServiceContext, 'local' | 'lifecycle'>,
  service: S,
  remote: () => LocalManagers[S] & { close(): void },
): LocalManagers[S] {
  if (context.local) return inProcess(context.local.self, context.local.get(service));
  const client = remote();
  context.lifecycle.onClose(`${service} client`, () => client.close());
  return client;
}
