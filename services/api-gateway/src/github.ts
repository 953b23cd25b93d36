/**
 * GitHub OAuth (web application flow), also for GitHub Enterprise: the
 * authorize URL, the code exchange, and the user's profile. Every call has a
 * timeout; GitHub unreachable or failing is UnavailableError (503), a code or
 * token GitHub refuses is UnauthenticatedError (401).
 */
import { UnauthenticatedError, UnavailableError } from '@delinkcious/object-model';

export interface GitHubOptions {
  clientId: string;
  clientSecret: string;
  /** e.g. https://github.com */
  oauthUrl: string;
  /** e.g. https://api.github.com, or https://ghe.example.com/api/v3 */
  apiUrl: string;
  timeoutMs: number;
}

export interface GitHubProfile {
  /** GitHub's numeric user id: it stays when the login is renamed. */
  id: number;
  login: string;
  name: string;
  email: string;
}

interface GitHubEmail {
  email?: unknown;
  primary?: unknown;
  verified?: unknown;
}

export class GitHubOAuth {
  constructor(private readonly options: GitHubOptions) {}

  authorizeUrl(redirectUri: string, state: string): string {
    const query = new URLSearchParams({
      client_id: this.options.clientId,
      redirect_uri: redirectUri,
      scope: 'user:email',
      state,
    });
    return `${this.options.oauthUrl}/login/oauth/authorize?${query}`;
  }

  /** Trades the code GitHub gave the browser for a GitHub access token. */
  async exchangeCode(code: string, redirectUri: string): Promise<string> {
    const response = await this.call(`${this.options.oauthUrl}/login/oauth/access_token`, {
      method: 'POST',
      headers: { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        client_id: this.options.clientId,
        client_secret: this.options.clientSecret,
        code,
        redirect_uri: redirectUri,
      }).toString(),
    });
    if (response.status >= 500) throw new UnavailableError(`GitHub failed to exchange the sign-in code (${response.status})`);
    // GitHub answers form-encoded unless it honours our Accept; take either.
    const fields = parseTokenAnswer(response.text, response.contentType);
    const accessToken = fields.access_token;
    if (response.status < 400 && typeof accessToken === 'string' && accessToken) return accessToken;
    const reason = typeof fields.error === 'string' && fields.error ? fields.error : `status ${response.status}`;
    throw new UnauthenticatedError(`GitHub refused the sign-in code (${reason}); sign in again`);
  }

  /** The signed-in GitHub user; the email is the public one, else the primary verified one. */
  async profile(accessToken: string): Promise<GitHubProfile> {
    const user = (await this.api('/user', accessToken)) as { id?: unknown; login?: unknown; name?: unknown; email?: unknown };
    if (typeof user.login !== 'string' || !user.login) throw new UnavailableError('GitHub answered a user without a login');
    if (typeof user.id !== 'number' || !Number.isSafeInteger(user.id) || user.id < 1) {
      throw new UnavailableError('GitHub answered a user without an id');
    }
    let email = typeof user.email === 'string' ? user.email : '';
    if (!email) {
      const emails = await this.api('/user/emails', accessToken);
      const primary = Array.isArray(emails)
        ? (emails as GitHubEmail[]).find((entry) => entry.primary === true && entry.verified === true)
        : undefined;
      email = typeof primary?.email === 'string' ? primary.email : '';
    }
    return { id: user.id, login: user.login, name: typeof user.name === 'string' && user.name ? user.name : user.login, email };
  }

  private async api(path: string, accessToken: string): Promise<unknown> {
    const response = await this.call(`${this.options.apiUrl}${path}`, {
      method: 'GET',
      headers: {
        accept: 'application/vnd.github+json',
        authorization: `Bearer ${accessToken}`,
        'x-github-api-version': '2022-11-28',
      },
    });
    if (response.status === 401 || response.status === 403) {
      throw new UnauthenticatedError(`GitHub refused the access token for ${path} (${response.status}); sign in again`);
    }
    if (response.status >= 400) throw new UnavailableError(`GitHub answered ${response.status} for ${path}`);
    try {
      return JSON.parse(response.text) as unknown;
    } catch (error) {
      throw new UnavailableError(`GitHub answered ${path} with something other than JSON`, { cause: error });
    }
  }

  private async call(url: string, init: RequestInit): Promise<{ status: number; contentType: string; text: string }> {
    try {
      const response = await fetch(url, {
        ...init,
        // GitHub's API refuses requests without a User-Agent.
        headers: { 'user-agent': 'delinkcious-api-gateway', ...(init.headers as Record<string, string>) },
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
      return { status: response.status, contentType: response.headers.get('content-type') ?? '', text: await response.text() };
    } catch (error) {
      const reason = error instanceof Error && error.name === 'TimeoutError' ? `no answer within ${this.options.timeoutMs} ms` : 'unreachable';
      throw new UnavailableError(`GitHub is unavailable (${reason}); try again later`, { cause: error });
    }
  }
}

/** The token endpoint's answer, JSON or form-encoded. */
export function parseTokenAnswer(text: string, contentType: string): Record<string, unknown> {
  if (contentType.includes('json') || text.trimStart().startsWith('{')) {
    try {
      const parsed = JSON.parse(text) as unknown;
      return parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : {};
    } catch {
      return {};
    }
  }
  return Object.fromEntries(new URLSearchParams(text));
}
