/**
 * Every service the command can start, by its docs/design.md name, in start-up
 * order: embedded, a service takes its callees' managers in-process as it
 * starts, so each comes after those it calls (link-checker before link-service,
 * the gateway last).
 */
import type { ServiceDefinition, ServiceName } from '@delinkcious/kit';
import { apiGateway } from '@delinkcious/api-gateway';
import { linkChecker } from '@delinkcious/link-checker';
import { linkService } from '@delinkcious/link-service';
import { newsService } from '@delinkcious/news-service';
import { socialGraphService } from '@delinkcious/social-graph-service';
import { userService } from '@delinkcious/user-service';

export const definitions: Record<ServiceName, ServiceDefinition> = {
  'user-service': userService,
  'social-graph-service': socialGraphService,
  'link-checker': linkChecker,
  'link-service': linkService,
  'news-service': newsService,
  'api-gateway': apiGateway,
};
