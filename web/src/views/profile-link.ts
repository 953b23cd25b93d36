/** The hash route of someone's profile page (#/u/{username}), linked from news, popular and people. */
export function profileHash(username: string): string {
  return `#/u/${encodeURIComponent(username)}`;
}
