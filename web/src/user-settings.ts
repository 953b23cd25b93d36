/**
 * The signed-in user's settings, fetched once per session and shared by the
 * screens that need them (the add form's privacy switch starts at
 * default_private). The settings screen refreshes them; signing out forgets them.
 */
import { api, type Settings } from './api.ts';

let cached: Promise<Settings> | undefined;

export function loadSettings(): Promise<Settings> {
  if (!cached) {
    const loading = api.settings();
    cached = loading;
    // A failure is not remembered: the next caller asks again.
    loading.catch(() => {
      if (cached === loading) cached = undefined;
    });
  }
  return cached;
}

export function rememberSettings(settings: Settings): void {
  cached = Promise.resolve(settings);
}

export function forgetSettings(): void {
  cached = undefined;
}

/** Where a new link's privacy switch starts; unknown (settings unreachable), public, as the API's own default. */
export function defaultPrivate(): Promise<boolean> {
  return loadSettings().then(
    (settings) => settings.default_private === true,
    () => false,
  );
}
