/**
 * Who may call what between services (docs/design.md §3): for each service, the
 * callers it accepts and, for each, the routes that caller uses, as the route
 * templates the service registers (fastify's `request.routeOptions.url`; for
 * gRPC, `POST /package.Service/Method`). It is the call graph of the clients in
 * libs/clients as the services wire them; anything not listed is refused.
 */
import type { ServiceName } from './services.ts';

export type CallMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';
export type AllowedCall = `${CallMethod} /${string}`;
export type CallerTable = { readonly [service in ServiceName]: { readonly [caller in ServiceName]?: readonly AllowedCall[] } };

export const allowedCalls: CallerTable = {
  // Public: it takes no calls from other services, only from people.
  'api-gateway': {},
  'link-service': {
    'api-gateway': [
      'GET /links',
      'POST /links',
      'PUT /links',
      'DELETE /links',
      // Other people's links: only the public ones, and the popular list (a POST: its users list can be long).
      'GET /public-links',
      'GET /public-links/count',
      'POST /popular',
      // Import jobs: a user's bookmark file stored as a job, and its progress (docs/design.md §19 B).
      'POST /imports',
      'GET /imports/:id',
      // The caller's tags and bulk edits of their links (docs/design.md §15).
      'GET /tags',
      'PUT /tags',
      'DELETE /tags',
      'POST /links/bulk',
      // Check one of the caller's links now (docs/design.md §17).
      'POST /links/recheck',
      // Pinboard's posts/update and posts/dates (docs/design.md §20).
      'GET /links/last-change',
      'GET /links/dates',
    ],
    // rebuild-feeds: the public links of the people someone follows.
    'news-service': ['GET /public-links'],
  },
  'social-graph-service': {
    'api-gateway': ['POST /follow', 'POST /unfollow', 'GET /following/*', 'GET /followers/*', 'GET /follow-counts/*'],
    // The feed fan-out: whom a link's author reaches; rebuild-feeds: every follower and whom they follow.
    'news-service': ['GET /followers/*', 'GET /all-followers', 'GET /following/*'],
  },
  'user-service': {
    // Only the gateway signs people in and manages their sessions and API tokens.
    'api-gateway': [
      'POST /register',
      'POST /login',
      'POST /logout',
      'POST /validate',
      // Following someone: does that user exist?
      'GET /users/:username',
      'POST /users/:username/tokens',
      'GET /users/:username/tokens',
      'DELETE /users/:username/tokens/:id',
      'GET /users/:username/settings',
      'PUT /users/:username/settings',
      // Profiles: people search, and the private news-feed tokens (made, shown, resolved).
      'GET /users',
      'GET /users/:username/feed-token',
      'POST /users/:username/feed-token',
      'POST /feed-tokens/owner',
      // OAuth states, shared by every gateway replica so each serves once.
      'POST /sign-in-states',
      'POST /sign-in-states/consume',
    ],
  },
  'news-service': {
    'api-gateway': ['POST /pb.News/GetNews'],
  },
  'link-checker': {
    // link-service's check requests, from the service and from its re-check job.
    'link-service': ['POST /'],
  },
};

const isService = (name: string): name is ServiceName => Object.hasOwn(allowedCalls, name);

/** The services that may call `service` at all: whose tokens it must be able to verify. */
export function callersOf(service: ServiceName): ServiceName[] {
  return Object.keys(allowedCalls[service]) as ServiceName[];
}

/** The services `caller` calls: whose callers' lists must hold it. */
export function calleesOf(caller: ServiceName): ServiceName[] {
  return (Object.keys(allowedCalls) as ServiceName[]).filter((service) => allowedCalls[service][caller] !== undefined);
}

/**
 * Why `caller` may not call `method route` on `service`, or undefined when it may.
 * HEAD is GET's (fastify answers it from the GET route).
 */
export function refusedCall(service: string, caller: string, method: string, route: string): string | undefined {
  const asked = method === 'HEAD' ? 'GET' : method;
  const allowed = isService(service) && isService(caller) ? allowedCalls[service][caller] : undefined;
  if (allowed?.includes(`${asked} ${route}` as AllowedCall)) return undefined;
  return `${caller} may not call ${method} ${route}`;
}
