/** What the app shell knows of a screen. */
import type { Session } from './api.ts';

export interface View {
  element: HTMLElement;
  /** The same screen with other parameters (#/links?tag=… after Back): update in place. */
  update?(params: URLSearchParams): void;
  /** Leaving the screen: stop timers. */
  dispose?(): void;
}

export interface ViewContext {
  session: Session;
}
