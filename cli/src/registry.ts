/** Every service the command can start, by its DESIGN.md name. Later services are added here. */
import type { ServiceDefinition, ServiceName } from '@delinkcious/kit';
import { linkService } from '@delinkcious/link-service';

export const definitions: Partial<Record<ServiceName, ServiceDefinition>> = {
  'link-service': linkService,
};
