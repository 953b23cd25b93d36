/**
 * How dense the links list is: cards (title, address, description, tags) or
 * a compact list (one line a link). A preference of this browser, not of the
 * account, so it lives in localStorage; storage refused (private mode, a
 * policy) means cards, and nothing fails.
 */
export type Density = 'cards' | 'compact';

const key = 'delinkcious.links.density';

export function savedDensity(): Density {
  try {
    return localStorage.getItem(key) === 'compact' ? 'compact' : 'cards';
  } catch {
    return 'cards';
  }
}

export function saveDensity(density: Density): void {
  try {
    localStorage.setItem(key, density);
  } catch {
    // Not remembered; the screen still shows it.
  }
}
