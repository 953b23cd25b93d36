/**
 * Requests byte for byte as the original Delinkcious Go clients send them
 * (go-kit over net/http): the body JSON-encoded with a trailing newline, no
 * Content-Type, chunked because the body's length is not known up front,
 * `Accept-Encoding: gzip` — on GET and DELETE too.
 */
import { connect } from 'node:net';

export interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * Sends one request over a fresh connection; `headers` adds to (or, by the same name, replaces) Go's own.
 * A Buffer body is sent as it is (to send what no encoder would).
 */
export async function sendAsGoClient(
  base: string,
  method: string,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<RawAnswer> {
  const { hostname, port } = new URL(base);
  const payload = Buffer.isBuffer(body) ? body : Buffer.from(`${JSON.stringify(body)}\n`);
  const head: Record<string, string> = {
    Host: `${hostname}:${port}`,
    'User-Agent': 'Go-http-client/1.1',
    'Transfer-Encoding': 'chunked',
    'Accept-Encoding': 'gzip',
    ...headers,
  };
  const request = Buffer.concat([
    Buffer.from(`${method} ${path} HTTP/1.1\r\n${Object.entries(head).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`),
    Buffer.from(`${payload.length.toString(16)}\r\n`),
    payload,
    Buffer.from('\r\n0\r\n\r\n'),
  ]);
  const raw = await new Promise<Buffer>((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => {
      chunks.push(chunk);
      const text = Buffer.concat(chunks).toString('latin1');
      if (isComplete(text)) {
        socket.end();
        resolve(Buffer.concat(chunks));
      }
    });
    socket.on('error', reject);
    socket.on('end', () => resolve(Buffer.concat(chunks)));
    socket.write(request);
  });
  return parseAnswer(raw.toString('latin1'));
}

function split(text: string): { head: string; rest: string } | undefined {
  const end = text.indexOf('\r\n\r\n');
  return end < 0 ? undefined : { head: text.slice(0, end), rest: text.slice(end + 4) };
}

function headersOf(head: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of head.split('\r\n').slice(1)) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return headers;
}

function isComplete(text: string): boolean {
  const parts = split(text);
  if (!parts) return false;
  const headers = headersOf(parts.head);
  if (headers['content-length'] !== undefined) return Buffer.byteLength(parts.rest, 'latin1') >= Number(headers['content-length']);
  return headers['transfer-encoding'] === 'chunked' ? parts.rest.endsWith('0\r\n\r\n') : false;
}

function parseAnswer(text: string): RawAnswer {
  const parts = split(text);
  if (!parts) throw new Error(`no HTTP answer: ${JSON.stringify(text.slice(0, 200))}`);
  const headers = headersOf(parts.head);
  let body = parts.rest;
  if (headers['transfer-encoding'] === 'chunked') {
    let decoded = '';
    for (let rest = body; ; ) {
      const eol = rest.indexOf('\r\n');
      const size = parseInt(rest.slice(0, eol), 16);
      if (!size) break;
      decoded += rest.slice(eol + 2, eol + 2 + size);
      rest = rest.slice(eol + 2 + size + 2);
    }
    body = decoded;
  }
  // Sizes count bytes, so the answer was read as latin1 (a byte a character); the body is UTF-8.
  return { status: Number(parts.head.split(' ')[1]), headers, body: Buffer.from(body, 'latin1').toString('utf8') };
}
