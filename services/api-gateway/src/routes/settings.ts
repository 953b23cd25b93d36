/**
 * /v1/settings: the caller's settings, kept by user-service. The answer is one
 * flat object, `{"err":"", ...settings}`, so further settings are further fields.
 */
import type { FastifyInstance } from 'fastify';
import { optionalFlag, settingsToWire, type UserManager, type UserSettings } from '@delinkcious/object-model';
import { callerOf } from '../auth/hooks.ts';
import { fieldsOf } from '../inputs.ts';
import { bodyTypes, errors, privateInput, security } from '../openapi.ts';
import { feedTokenFields, feedTokenProperties } from './feed-token.ts';

/** The settings fields of the answer (further settings add theirs here). */
export const settingsProperties: Record<string, object> = {
  default_private: { type: 'boolean', description: 'new links are private unless their request says private=false' },
};

const settingsAnswer = {
  description: 'Your settings',
  type: 'object',
  properties: { err: { type: 'string' }, ...settingsProperties, ...feedTokenProperties },
};

/** The answer of GET and PUT /v1/settings. */
export const settingsBody = (settings: UserSettings) => ({ err: '', ...settingsToWire(settings) });

export function registerSettingsRoutes(v1: FastifyInstance, users: UserManager): void {
  v1.get(
    '/settings',
    {
      schema: {
        tags: ['settings'],
        summary: 'Your settings',
        security,
        response: { 200: settingsAnswer, ...errors(401, 404, 429, 503) },
      },
    },
    async (request) => {
      const { username } = callerOf(request);
      return { ...settingsBody(await users.getSettings(username)), ...(await feedTokenFields(users, username)) };
    },
  );

  v1.put(
    '/settings',
    {
      schema: {
        tags: ['settings'],
        summary: 'Change your settings; fields left out stay as they are',
        security,
        consumes: bodyTypes,
        body: { type: 'object', properties: { default_private: { ...privateInput, description: 'new links private by default' } } },
        response: { 200: settingsAnswer, ...errors(400, 401, 403, 404, 413, 429, 503) },
      },
    },
    async (request) => {
      const defaultPrivate = optionalFlag(fieldsOf(request).default_private, 'default_private');
      const settings = await users.updateSettings(callerOf(request).username, {
        ...(defaultPrivate !== undefined && { defaultPrivate }),
      });
      return { ...settingsBody(settings), ...(await feedTokenFields(users, callerOf(request).username)) };
    },
  );
}
