/**
 * grpc.health.v1.Health (proto/health.proto, the standard protocol), which
 * Kubernetes gRPC probes call: SERVING while the store answers, NOT_SERVING
 * when it does not or the service is shutting down. Open to every caller:
 * probes send no caller token, and the answer reveals nothing.
 */
import * as grpc from '@grpc/grpc-js';
import { healthProtoPath, loadServiceDefinition } from './protos.ts';

export type ServingStatus = 'SERVING' | 'NOT_SERVING';

/** The services a Check may name: '' (the whole server) and pb.News. */
const known = new Set(['', 'pb.News']);

/** Adds the service; the answer ends open Watch streams (at shutdown: they would hold the server open). */
export function addHealthService(server: grpc.Server, status: () => Promise<ServingStatus>, watchIntervalMs = 2000): { endWatches(): void } {
  const definition = loadServiceDefinition(healthProtoPath, 'grpc.health.v1.Health');
  const watches = new Set<() => void>();
  server.addService(definition, {
    Check(call: grpc.ServerUnaryCall<{ service: string }, unknown>, callback: grpc.sendUnaryData<unknown>) {
      if (!known.has(call.request.service)) {
        callback({ code: grpc.status.NOT_FOUND, details: `unknown service ${call.request.service}` });
        return;
      }
      status().then((s) => callback(null, { status: s }));
    },
    // Sends the status now and whenever it changes, until the caller goes away.
    Watch(call: grpc.ServerWritableStream<{ service: string }, unknown>) {
      if (!known.has(call.request.service)) {
        call.write({ status: 'SERVICE_UNKNOWN' });
        call.end();
        return;
      }
      let last: string | undefined;
      let timer: NodeJS.Timeout | undefined;
      let ended = false;
      const end = () => {
        ended = true;
        clearTimeout(timer);
        watches.delete(close);
      };
      const close = () => {
        end();
        call.end();
      };
      const tick = () =>
        status().then((s) => {
          if (ended || call.cancelled) return;
          if (s !== last) call.write({ status: (last = s) });
          timer = setTimeout(tick, watchIntervalMs);
        });
      watches.add(close);
      call.on('cancelled', end);
      void tick();
    },
  });
  return {
    endWatches() {
      for (const close of [...watches]) close();
    },
  };
}
