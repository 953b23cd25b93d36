/** Local web sites for the checker to check: every test runs against 127.0.0.1, never the internet. */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SeenRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
}

export interface Site {
  /** `http://127.0.0.1:<port>` */
  url: string;
  port: number;
  /** Every request the site received, in order. */
  seen: SeenRequest[];
  close(): Promise<void>;
}

export type Handler = (request: IncomingMessage, response: ServerResponse) => void;

export async function startSite(handler: Handler): Promise<Site> {
  const seen: SeenRequest[] = [];
  const server = createServer((request, response) => {
    seen.push({ method: request.method ?? '', path: request.url ?? '', headers: request.headers });
    handler(request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    seen,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A port nothing listens on (listened on, then closed). */
export async function closedPort(): Promise<number> {
  const site = await startSite(() => undefined);
  await site.close();
  return site.port;
}

/**
 * One site with the routes the tests need:
 * /ok 200, /missing 404, /broken 500, /moved 301 → /ok, /loop 302 → /loop,
 * /chain/N N redirects then 200, /no-head 405 to HEAD then 200, /head-forbidden 403 to HEAD then 200,
 * /endless 405 to HEAD then a GET body that never ends, /hang never answers, /slow-chain/N a redirect every 150 ms.
 */
export interface TestSite extends Site {
  /** Bytes of endless body written so far. */
  bodyBytesSent(): number;
  /** Endless bodies whose connection is still open. */
  endlessOpen(): number;
}

export async function startTestSite(): Promise<TestSite> {
  let bodyBytesSent = 0;
  let endlessOpen = 0;
  const site = await startSite((request, response) => {
    const path = request.url ?? '/';
    const redirect = (status: number, location: string) => {
      response.writeHead(status, { location });
      response.end();
    };
    const chain = /^\/(slow-)?chain\/(\d+)$/.exec(path);
    if (chain) {
      const left = Number(chain[2]);
      const answer = () => (left === 0 ? response.end('done') : redirect(302, `/${chain[1] ?? ''}chain/${left - 1}`));
      if (chain[1]) setTimeout(answer, 150);
      else answer();
      return;
    }
    switch (path) {
      case '/ok':
        response.end('fine');
        return;
      case '/missing':
        response.writeHead(404).end('not here');
        return;
      case '/broken':
        response.writeHead(500).end('oops');
        return;
      case '/moved':
        redirect(301, '/ok');
        return;
      case '/see-other':
        redirect(303, `http://127.0.0.1:${site.port}/ok`);
        return;
      case '/loop':
        redirect(302, '/loop');
        return;
      case '/not-modified':
        response.writeHead(304).end();
        return;
      case '/no-head':
      case '/head-forbidden':
        if (request.method === 'HEAD') response.writeHead(path === '/no-head' ? 405 : 403).end();
        else response.end('GET is fine');
        return;
      case '/no-head-missing':
        response.writeHead(request.method === 'HEAD' ? 405 : 404).end();
        return;
      case '/endless': {
        if (request.method === 'HEAD') {
          response.writeHead(405).end();
          return;
        }
        response.writeHead(200, { 'content-type': 'application/octet-stream' });
        endlessOpen++;
        response.once('close', () => endlessOpen--);
        const chunk = Buffer.alloc(64 * 1024, 120);
        const pump = () => {
          while (!response.destroyed) {
            bodyBytesSent += chunk.length;
            if (!response.write(chunk)) break;
          }
          if (!response.destroyed) response.once('drain', pump);
        };
        pump();
        return;
      }
      case '/hang':
        return; // never answers
      default:
        if (path.startsWith('/to?')) {
          redirect(302, new URLSearchParams(path.slice(4)).get('location') ?? '/');
          return;
        }
        response.writeHead(404).end();
    }
  });
  return Object.assign(site, { bodyBytesSent: () => bodyBytesSent, endlessOpen: () => endlessOpen });
}
