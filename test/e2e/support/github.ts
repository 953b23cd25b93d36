/**
 * GitHub for the end-to-end suite: the api-gateway's GitHub stand-in (token
 * exchange, /user, /user/emails) behind a front that also plays GitHub's
 * authorize page, so a sign-in runs as a browser sees it: /login redirects to
 * GitHub, GitHub redirects back with a code and the state, the callback
 * exchanges the code. The front consents as `user`.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Deployment } from '@delinkcious/testing';
import { GitHubStandIn, type StandInUser } from '../../../services/api-gateway/test/support/github-stand-in.ts';

export type { StandInUser };

export interface Authorization {
  clientId: string | null;
  redirectUri: string | null;
  scope: string | null;
  state: string | null;
}

export class GitHub {
  /** Who says yes on the authorize page next. */
  user: StandInUser | undefined;
  readonly authorizations: Authorization[] = [];
  private frontUrl = '';

  private constructor(
    readonly standIn: GitHubStandIn,
    private readonly front: Server,
  ) {}

  static async start(): Promise<GitHub> {
    const standIn = await GitHubStandIn.start();
    const front = createServer();
    const github = new GitHub(standIn, front);
    front.on('request', (request: IncomingMessage, response: ServerResponse) => {
      void github.handle(request, response).catch(() => {
        if (!response.headersSent) response.writeHead(500);
        response.end();
      });
    });
    await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
    const address = front.address();
    if (!address || typeof address !== 'object') throw new Error('no address');
    github.frontUrl = `http://127.0.0.1:${address.port}`;
    return github;
  }

  /** The base of GitHub's OAuth pages (authorize, token exchange). */
  get oauthUrl(): string {
    return this.frontUrl;
  }

  /** GITHUB_* for the gateway: OAuth pages on the front, the REST API on the stand-in itself. */
  env(): Record<string, string> {
    return {
      GITHUB_CLIENT_ID: this.standIn.clientId,
      GITHUB_CLIENT_SECRET: this.standIn.clientSecret,
      GITHUB_OAUTH_URL: this.frontUrl,
      GITHUB_API_URL: this.standIn.url,
    };
  }

  async close(): Promise<void> {
    this.front.closeAllConnections();
    await new Promise<void>((resolve) => this.front.close(() => resolve()));
    await this.standIn.close();
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', this.frontUrl);
    if (request.method === 'GET' && url.pathname === '/login/oauth/authorize') return this.authorize(url, response);
    if (request.method === 'POST' && url.pathname === '/login/oauth/access_token') return this.forward(request, response, url);
    response.writeHead(404, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ message: 'Not Found' }));
  }

  /** GitHub's consent page, answered at once: back to redirect_uri with a one-time code and the state. */
  private authorize(url: URL, response: ServerResponse): void {
    const params = url.searchParams;
    const authorization: Authorization = {
      clientId: params.get('client_id'),
      redirectUri: params.get('redirect_uri'),
      scope: params.get('scope'),
      state: params.get('state'),
    };
    this.authorizations.push(authorization);
    if (authorization.clientId !== this.standIn.clientId || !authorization.redirectUri || !this.user) {
      response.writeHead(400, { 'content-type': 'text/plain' });
      response.end('bad authorize request');
      return;
    }
    const back = new URL(authorization.redirectUri);
    back.searchParams.set('code', this.standIn.issueCode(this.user));
    if (authorization.state !== null) back.searchParams.set('state', authorization.state);
    response.writeHead(302, { location: back.toString() });
    response.end();
  }

  /** The token exchange goes on to the stand-in, as is. */
  private async forward(request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> {
    let body = '';
    for await (const chunk of request) body += String(chunk);
    const headers: Record<string, string> = {};
    for (const name of ['content-type', 'accept', 'user-agent']) {
      const value = request.headers[name];
      if (typeof value === 'string') headers[name] = value;
    }
    const answer = await fetch(new URL(`${url.pathname}${url.search}`, this.standIn.url), { method: 'POST', headers, body });
    response.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'text/plain' });
    response.end(await answer.text());
  }
}

/**
 * Starts GitHub, then a deployment whose gateway is pointed at it (`start` gets
 * the GITHUB_* variables to pass on); the answer's stop() stops both.
 */
export async function withGitHub<D extends Deployment>(start: (githubEnv: Record<string, string>) => Promise<D>): Promise<D & { github: GitHub }> {
  const github = await GitHub.start();
  let deployment: D;
  try {
    deployment = await start(github.env());
  } catch (error) {
    await github.close();
    throw error;
  }
  const stopDeployment = deployment.stop.bind(deployment);
  return Object.assign(deployment, {
    github,
    async stop() {
      try {
        await stopDeployment();
      } finally {
        await github.close();
      }
    },
  });
}
