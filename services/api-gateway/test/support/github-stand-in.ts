/**
 * A local stand-in for GitHub's OAuth and REST endpoints, on 127.0.0.1:
 * `/login/oauth/access_token` (form-encoded by default, JSON when asked with
 * Accept: application/json, as GitHub does), `/user` and `/user/emails`.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

export interface StandInUser {
  /** GitHub's numeric id; by default one per login, as if each login were its own account. */
  id?: number;
  login: string;
  name: string | null;
  email: string | null;
  emails?: Array<{ email: string; primary: boolean; verified: boolean }>;
}

export interface RecordedExchange {
  accept: string | undefined;
  params: URLSearchParams;
}

export class GitHubStandIn {
  readonly clientId = 'stand-in-client-id';
  readonly clientSecret = 'stand-in-client-secret';
  /** How the token endpoint answers: as GitHub does (form unless JSON is asked for), or always one way. */
  tokenEncoding: 'negotiate' | 'form' | 'json' = 'negotiate';
  readonly exchanges: RecordedExchange[] = [];
  readonly userAgents: string[] = [];
  private readonly codes = new Map<string, StandInUser>();
  private readonly tokens = new Map<string, StandInUser>();
  private readonly idsOfLogins = new Map<string, number>();

  private readonly server: Server;
  private address = '';

  private constructor() {
    this.server = createServer((request, response) => {
      void this.handle(request, response).catch(() => {
        response.statusCode = 500;
        response.end();
      });
    });
  }

  get url(): string {
    return this.address;
  }

  static async start(): Promise<GitHubStandIn> {
    const standIn = new GitHubStandIn();
    await new Promise<void>((resolve) => standIn.server.listen(0, '127.0.0.1', resolve));
    const address = standIn.server.address();
    if (!address || typeof address !== 'object') throw new Error('no address');
    standIn.address = `http://127.0.0.1:${address.port}`;
    return standIn;
  }

  /** A one-time code for `user`, as GitHub gives the browser after consent. */
  issueCode(user: StandInUser): string {
    const code = randomBytes(10).toString('hex');
    this.codes.set(code, user);
    return code;
  }

  env(): Record<string, string> {
    return {
      GITHUB_CLIENT_ID: this.clientId,
      GITHUB_CLIENT_SECRET: this.clientSecret,
      GITHUB_OAUTH_URL: this.url,
      GITHUB_API_URL: this.url,
    };
  }

  /** The user's GitHub id: theirs if given, else one that stays with the login. */
  idOf(user: StandInUser): number {
    if (user.id !== undefined) return user.id;
    let id = this.idsOfLogins.get(user.login);
    if (id === undefined) {
      id = 1000 + this.idsOfLogins.size;
      this.idsOfLogins.set(user.login, id);
    }
    return id;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    this.userAgents.push(request.headers['user-agent'] ?? '');
    const path = new URL(request.url ?? '/', this.url).pathname;
    if (request.method === 'POST' && path === '/login/oauth/access_token') return this.exchange(request, response);
    if (request.method === 'GET' && (path === '/user' || path === '/user/emails')) {
      const token = /^(?:Bearer|token) (.+)$/.exec(request.headers.authorization ?? '')?.[1];
      const user = token ? this.tokens.get(token) : undefined;
      if (!user) return json(response, 401, { message: 'Bad credentials' });
      if (path === '/user') return json(response, 200, { login: user.login, id: this.idOf(user), name: user.name, email: user.email });
      return json(response, 200, user.emails ?? []);
    }
    json(response, 404, { message: 'Not Found' });
  }

  private async exchange(request: IncomingMessage, response: ServerResponse): Promise<void> {
    let text = '';
    for await (const chunk of request) text += String(chunk);
    const params = new URLSearchParams(text);
    const accept = request.headers.accept;
    this.exchanges.push({ accept, params });

    let answer: Record<string, string>;
    const user = this.codes.get(params.get('code') ?? '');
    if (params.get('client_id') !== this.clientId || params.get('client_secret') !== this.clientSecret) {
      answer = { error: 'incorrect_client_credentials', error_description: 'The client_id and/or client_secret passed are incorrect.' };
    } else if (!user) {
      answer = { error: 'bad_verification_code', error_description: 'The code passed is incorrect or expired.' };
    } else {
      this.codes.delete(params.get('code')!);
      const token = `gho_${randomBytes(12).toString('hex')}`;
      this.tokens.set(token, user);
      answer = { access_token: token, scope: 'user:email', token_type: 'bearer' };
    }
    // GitHub answers these with 200, errors included.
    const asJson = this.tokenEncoding === 'json' || (this.tokenEncoding === 'negotiate' && (accept ?? '').includes('application/json'));
    if (asJson) return json(response, 200, answer);
    response.writeHead(200, { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' });
    response.end(new URLSearchParams(answer).toString());
  }
}

function json(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  response.end(JSON.stringify(body));
}

/** A server that accepts connections and never answers: GitHub hanging. */
export async function silentServer(): Promise<{ url: string; close: () => Promise<void> }> {
  const server = createServer(() => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address !== 'object') throw new Error('no address');
  return {
    url: `http://127.0.0.1:${address.port}`,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
