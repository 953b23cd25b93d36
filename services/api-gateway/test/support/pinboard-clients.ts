/**
 * Real Pinboard client libraries from the npm registry, pointed at a
 * Delinkcious server: node-pinboard (JSON, auth_token) and pinboard.js (XML by
 * default, auth_token or HTTP Basic), plus a small XML reader for the answers.
 */
import { createRequire } from 'node:module';
import { DomUtils, parseDocument } from 'htmlparser2';
import type { ChildNode, Element } from 'domhandler';

const require = createRequire(import.meta.url);

interface NodePinboardClient {
  [method: string]: (...args: unknown[]) => Promise<unknown>;
}

/** node-pinboard speaks JSON only, with `auth_token`; its base URL is a module-level setting. */
export function nodePinboard(serverUrl: string, username: string, token: string): NodePinboardClient {
  (require('node-pinboard/dist/get') as { API_URL: string }).API_URL = `${serverUrl}/pinboard/v1`;
  const Pinboard = (require('node-pinboard') as { default: new (token: string) => NodePinboardClient }).default;
  return new Pinboard(`${username}:${token}`);
}

export interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

type Callback = (error: Error | null, response: { statusCode: number; headers: RawAnswer['headers'] }, body: string) => void;
type PinboardJsMethod = (options: Record<string, unknown>, callback: Callback) => void;

/** pinboard.js: every method answers the raw body; without `format` it is Pinboard's XML. */
export function pinboardJs(serverUrl: string, auth: { username: string; token?: string; password?: string }) {
  const Pinboard = require('pinboard.js') as new (params: unknown) => Record<string, PinboardJsMethod>;
  const { hostname, port, protocol } = new URL(serverUrl);
  const client = new Pinboard({
    auth: auth.password !== undefined ? { type: 'http', username: auth.username, password: auth.password } : { username: auth.username, token: auth.token },
    url: { protocol, hostname, port, pathname: '/pinboard/v1' },
  });
  return (method: string, options: Record<string, unknown> = {}) =>
    new Promise<RawAnswer>((resolve, reject) => {
      const run = client[method];
      if (!run) throw new Error(`pinboard.js has no method ${method}`);
      run.call(client, options, (error, response, body) => (error ? reject(error) : resolve({ status: response.statusCode, headers: response.headers, body })));
    });
}

export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  text: string;
  children: XmlElement[];
}

/** The document's root element, strictly: a body that is not one XML element throws. */
export function parseXml(text: string): XmlElement {
  if (!text.startsWith('<?xml')) throw new Error(`not an XML document: ${text.slice(0, 80)}`);
  const document = parseDocument(text, { xmlMode: true, decodeEntities: true });
  const isElement = (node: ChildNode): node is Element => node.type === 'tag';
  const roots = document.children.filter(isElement);
  if (roots.length !== 1) throw new Error(`expected one root element, got ${roots.length}`);
  const convert = (node: Element): XmlElement => ({
    name: node.name,
    attributes: { ...node.attribs },
    text: DomUtils.textContent(node),
    children: node.children.filter(isElement).map(convert),
  });
  return convert(roots[0]!);
}
