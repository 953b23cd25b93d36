/**
 * What the web UI asks before it draws anything: how one can sign in here
 * (GET /login/options, public) and who is signed in (GET /v1/session, the
 * caller as user-service knows them; 401 when nobody is).
 */
import type { FastifyInstance } from 'fastify';
import { callerOf } from '../auth/hooks.ts';
import { errors, security } from '../openapi.ts';

export function registerLoginOptionsRoute(server: FastifyInstance, options: { github: boolean; devLogin: boolean }): void {
  const answer = { err: '', github: options.github, dev_login: options.devLogin };
  server.get(
    '/login/options',
    {
      schema: {
        tags: ['sign-in'],
        summary: 'How you can sign in here: GitHub (GET /login) and/or the local sign-in (POST /login/dev)',
        response: {
          200: {
            description: 'The sign-in methods this gateway offers',
            type: 'object',
            properties: {
              err: { type: 'string' },
              github: { type: 'boolean', description: 'GitHub OAuth is configured: GET /login' },
              dev_login: { type: 'boolean', description: 'the local sign-in is on (DEV_LOGIN=true): POST /login/dev' },
            },
          },
        },
      },
    },
    async (_request, reply) => {
      reply.header('cache-control', 'no-store');
      return answer;
    },
  );
}

export function registerSessionRoute(v1: FastifyInstance): void {
  v1.get(
    '/session',
    {
      schema: {
        tags: ['sign-in'],
        summary: 'Who you are signed in as (401 when you are not)',
        security,
        response: {
          200: {
            description: 'The signed-in user',
            type: 'object',
            properties: {
              err: { type: 'string' },
              username: { type: 'string', description: 'your username (the GitHub login), as you wrote it at your first sign-in; usernames are case-insensitive' },
              name: { type: 'string' },
              email: { type: 'string' },
            },
          },
          ...errors(401, 429, 503),
        },
      },
    },
    async (request) => {
      const user = callerOf(request);
      return { err: '', username: user.spelling ?? user.username, name: user.name, email: user.email };
    },
  );
}
