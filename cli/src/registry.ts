/** Every service the command can start, by its docs/design.md name, in start-up order (the gateway last). */
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
  'link-service': linkService,
  'link-checker': linkChecker,
  'news-service': newsService,
  'api-gateway': apiGateway,
};
