/**
 * The SSRF guard (docs/design.md §5): the checker fetches URLs that users chose, so
 * it must never become a way into the cluster. Every address a host resolves
 * to is checked, and one non-public address refuses the whole host (an
 * attacker controls their DNS and can mix a public address with 10.0.0.1).
 * The caller then connects only to the addresses checked here, so a second,
 * different DNS answer (rebinding) cannot slip in between check and connect.
 */
import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/**
 * Every address of a hostname; injectable so tests can map names without DNS. `signal`: the caller
 * stops waiting when it aborts (shared-resolver.ts drops a queued lookup nobody waits for).
 */
export type Resolver = (hostname: string, signal?: AbortSignal) => Promise<ResolvedAddress[]>;

/** getaddrinfo, as a connect would do (it honours /etc/hosts), every address of both families. */
export const systemResolver: Resolver = async (hostname) => {
  const answers = await lookup(hostname, { all: true, verbatim: true });
  return answers.map(({ address, family }) => ({ address, family: family === 6 ? 6 : 4 }));
};

/** Decides whether the checker may connect to one address. */
export interface AddressPolicy {
  /** Why `address` is refused, or undefined when it may be used. */
  refusal(address: string): string | undefined;
}

/** IANA special-purpose IPv4 ranges that are not the public internet. */
const blockedIPv4: Array<[string, number]> = [
  ['0.0.0.0', 8], // "this network", unspecified
  ['10.0.0.0', 8], // RFC 1918
  ['100.64.0.0', 10], // CGNAT
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local, cloud metadata (169.254.169.254)
  ['172.16.0.0', 12], // RFC 1918
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // TEST-NET-1
  ['192.88.99.0', 24], // 6to4 relay anycast
  ['192.168.0.0', 16], // RFC 1918
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // TEST-NET-2
  ['203.0.113.0', 24], // TEST-NET-3
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
];

/** IPv6 ranges that are not the public internet (the IPv4-carrying ones are handled by embeddedIPv4). */
const blockedIPv6: Array<[string, number]> = [
  ['::', 96], // unspecified (::), loopback (::1), deprecated IPv4-compatible
  ['64:ff9b:1::', 48], // local-use NAT64
  ['100::', 64], // discard-only
  ['2001::', 32], // Teredo (the IPv4 inside is obfuscated; no public site needs it)
  ['2001:2::', 48], // benchmarking
  ['2001:db8::', 32], // documentation
  ['3fff::', 20], // documentation
  ['fc00::', 7], // unique-local, includes AWS metadata fd00:ec2::254
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated)
  ['ff00::', 8], // multicast
];

const blocked = new BlockList();
for (const [network, prefix] of blockedIPv4) blocked.addSubnet(network, prefix, 'ipv4');
for (const [network, prefix] of blockedIPv6) blocked.addSubnet(network, prefix, 'ipv6');

/** The 8 groups of an IPv6 address as numbers (handles `::` and a dotted IPv4 tail). */
function ipv6Groups(address: string): number[] {
  let text = address.toLowerCase().replace(/%.*$/, '');
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted[1]!.split('.').map(Number) as [number, number, number, number];
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split('::') as [string, string | undefined];
  const part = (s: string | undefined) => (s ? s.split(':').map((g) => parseInt(g, 16)) : []);
  const left = part(head);
  const right = part(tail);
  const zeros = tail === undefined ? [] : new Array<number>(8 - left.length - right.length).fill(0);
  return [...left, ...zeros, ...right];
}

const ipv4Of = (high: number, low: number) => `${high >> 8}.${high & 0xff}.${low >> 8}.${low & 0xff}`;

/**
 * The IPv4 address an IPv6 address carries and would reach: IPv4-mapped
 * (::ffff:a.b.c.d), NAT64 (64:ff9b::/96) and 6to4 (2002::/16). Checking it
 * stops ::ffff:127.0.0.1 or 2002:7f00:1:: from reaching loopback.
 */
export function embeddedIPv4(address: string): string | undefined {
  const g = ipv6Groups(address);
  if (g.length !== 8) return undefined;
  if (g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff) return ipv4Of(g[6]!, g[7]!);
  if (g[0] === 0x64 && g[1] === 0xff9b && g.slice(2, 6).every((x) => x === 0)) return ipv4Of(g[6]!, g[7]!);
  if (g[0] === 0x2002) return ipv4Of(g[1]!, g[2]!);
  return undefined;
}

/** True when `address` (an IP literal, without brackets) is loopback, private, link-local, reserved, etc. */
export function isNonPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return blocked.check(address, 'ipv4');
  if (family !== 6) return true; // not an address at all: never connect to it
  if (blocked.check(address.replace(/%.*$/, ''), 'ipv6')) return true;
  const inner = embeddedIPv4(address);
  return inner !== undefined && blocked.check(inner, 'ipv4');
}

export interface AddressPolicyOptions {
  /** LINK_CHECKER_ALLOW_PRIVATE_NETWORKS: every address is allowed (tests and local use). */
  allowPrivateNetworks: boolean;
  /** Addresses or CIDR ranges treated as public even though they are not (e.g. `127.0.0.1/32` in tests). */
  allow?: string[];
}

export function createAddressPolicy(options: AddressPolicyOptions): AddressPolicy {
  if (options.allowPrivateNetworks) return { refusal: () => undefined };
  const allowed = new BlockList();
  for (const entry of options.allow ?? []) {
    const [network = '', prefix] = entry.split('/');
    const family = isIP(network) === 6 ? 'ipv6' : 'ipv4';
    if (isIP(network) === 0) throw new Error(`not an address or CIDR range: ${entry}`);
    allowed.addSubnet(network, prefix === undefined ? (family === 'ipv6' ? 128 : 32) : Number(prefix), family);
  }
  return {
    refusal(address) {
      const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
      if (isIP(address) !== 0 && allowed.check(address, family)) return undefined;
      return isNonPublicAddress(address) ? `blocked address ${address}` : undefined;
    },
  };
}

/** A host the policy refuses, or that cannot be resolved; `reason` is the short text of link.checked's `error`. */
export class HostRefusedError extends Error {
  constructor(
    readonly reason: string,
    options?: ErrorOptions,
  ) {
    super(reason, options);
    this.name = 'HostRefusedError';
  }
}

/** `[::1]` → `::1`: URL.hostname keeps the brackets of an IPv6 literal. */
export const bareHost = (hostname: string) => hostname.replace(/^\[(.*)\]$/, '$1');

/**
 * The addresses to connect to for `hostname`, every one allowed by `policy`;
 * throws HostRefusedError when any is refused or the name does not resolve.
 */
export async function resolveAllowed(hostname: string, resolver: Resolver, policy: AddressPolicy, signal?: AbortSignal): Promise<ResolvedAddress[]> {
  const host = bareHost(hostname);
  const literal = isIP(host);
  let addresses: ResolvedAddress[];
  if (literal) addresses = [{ address: host, family: literal === 6 ? 6 : 4 }];
  else {
    try {
      addresses = await resolver(host, signal);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new HostRefusedError(code === 'ENOTFOUND' || code === 'ENODATA' ? 'DNS failure' : `DNS failure${code ? ` (${code})` : ''}`, {
        cause: error,
      });
    }
    if (addresses.length === 0) throw new HostRefusedError('DNS failure');
  }
  for (const { address } of addresses) {
    const refusal = policy.refusal(address);
    if (refusal) throw new HostRefusedError(refusal);
  }
  return addresses;
}
