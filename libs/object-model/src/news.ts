/** The news feed: what the people a user follows did to their links. */
export type NewsEventType = 'LINK_ADDED' | 'LINK_UPDATED' | 'LINK_DELETED';

export interface NewsEvent {
  eventType: NewsEventType;
  /** The author of the change. */
  username: string;
  url: string;
  title: string;
  timestamp: Date;
}

export interface GetNewsResult {
  events: NewsEvent[];
  nextToken: string;
}

export interface NewsManager {
  getNews(username: string, startToken?: string): Promise<GetNewsResult>;
}
