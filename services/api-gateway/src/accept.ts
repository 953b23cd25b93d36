/**
 * Whether a client wants JSON or a page. Browsers navigating always list
 * text/html; API clients list application/json or accept anything (curl),
 * and get JSON.
 */
function qualities(accept: string): Map<string, number> {
  const result = new Map<string, number>();
  for (const part of accept.split(',')) {
    const [type, ...params] = part.trim().toLowerCase().split(';');
    if (!type) continue;
    let q = 1;
    for (const param of params) {
      const [key, value] = param.trim().split('=');
      if (key === 'q' && value !== undefined && !Number.isNaN(Number(value))) q = Number(value);
    }
    result.set(type.trim(), Math.max(q, result.get(type.trim()) ?? 0));
  }
  return result;
}

export function prefersJson(accept: string | undefined): boolean {
  if (!accept) return true;
  const q = qualities(accept);
  const html = Math.max(q.get('text/html') ?? 0, q.get('application/xhtml+xml') ?? 0);
  if (html <= 0) return true;
  return (q.get('application/json') ?? 0) > html;
}
