/** A service's kit server for a test: silent logs, its own metrics registry, mutual auth only when given. */
import { ServiceMetrics, createLogger, createServiceServer, type MutualAuth } from '@delinkcious/kit';

export function quietServiceServer(service: string, mutualAuth?: MutualAuth): ReturnType<typeof createServiceServer> {
  return createServiceServer({
    service,
    logger: createLogger(service).child({}, { level: 'silent' }),
    metrics: new ServiceMetrics(service),
    ...(mutualAuth && { mutualAuth }),
  });
}
