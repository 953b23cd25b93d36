/**
 * A small time-bounded, size-bounded cache of validated tokens. It spares
 * user-service a call per request, and its short TTL bounds how long a revoked
 * token keeps working. Keys are SHA-256 digests, so raw tokens are not kept.
 */
import { hash } from 'node:crypto';

/** crypto.hash: one call, no Hash object (half the time of createHash, on every request). */
export function tokenKey(token: string): string {
  return hash('sha256', token, 'base64url');
}

interface Entry<V> {
  value: V;
  expiresAt: number;
}

export class TokenCache<V> {
  private readonly entries = new Map<string, Entry<V>>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries: number,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  get(key: string): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  set(key: string, value: V): void {
    if (this.ttlMs <= 0) return;
    this.entries.delete(key);
    // A Map iterates in insertion order: the first entry is the oldest.
    while (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done) break;
      this.entries.delete(oldest.value);
    }
    this.entries.set(key, { value, expiresAt: this.now() + this.ttlMs });
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  /** Drops every entry whose value matches, e.g. all tokens of a user who revoked one. */
  deleteWhere(matches: (value: V) => boolean): void {
    for (const [key, entry] of this.entries) if (matches(entry.value)) this.entries.delete(key);
  }
}
