/**
 * grpc.health.v1.Health, the standard protocol that Kubernetes gRPC probes
 * call, served by grpc-health-check: SERVING while the store answers,
 * NOT_SERVING when it does not or the service is shutting down. Open to every
 * caller: probes send no caller token, and the answer reveals nothing.
 *
 * The library answers from statuses it is told; this side tells it afresh
 * before each Check and Watch, and every `watchIntervalMs` while a Watch is open.
 */
import type * as grpc from '@grpc/grpc-js';

export type ServingStatus = 'SERVING' | 'NOT_SERVING';

/** The services a probe may name: '' (the whole server) and pb.News; others are unknown. */
const services = ['', 'pb.News'];

export interface GrpcHealth {
  /** Says NOT_SERVING to open Watch streams and ends them (they would hold the server open). */
  endWatches(): void;
}

export async function addHealthService(server: grpc.Server, status: () => Promise<ServingStatus>, watchIntervalMs = 2000): Promise<GrpcHealth> {
  // Loaded with the gRPC server, never by an embedded process (news-wire.ts loadNewsGrpc).
  const { HealthImplementation } = await import('grpc-health-check');
  const health = new HealthImplementation(Object.fromEntries(services.map((service) => [service, 'NOT_SERVING'])));
  let current: ServingStatus = 'NOT_SERVING';
  let ended = false;
  const set = (next: ServingStatus) => {
    // The library writes every status it is told to each watcher: tell it changes only.
    if (ended || next === current) return;
    current = next;
    for (const service of services) health.setStatus(service, next);
  };
  const refresh = () => status().then(set, () => set('NOT_SERVING'));

  const watches = new Set<grpc.ServerWritableStream<unknown, unknown>>();
  let timer: NodeJS.Timeout | undefined;
  const untrack = (call: grpc.ServerWritableStream<unknown, unknown>) => {
    watches.delete(call);
    if (watches.size === 0 && timer) {
      clearInterval(timer);
      timer = undefined;
    }
  };
  const track = (call: grpc.ServerWritableStream<unknown, unknown>) => {
    watches.add(call);
    call.on('cancelled', () => untrack(call));
    timer ??= setInterval(() => void refresh(), watchIntervalMs).unref();
  };

  health.addToServer({
    addService(definition, implementation) {
      const check = implementation.check as grpc.handleUnaryCall<unknown, unknown>;
      const watch = implementation.watch as grpc.handleServerStreamingCall<unknown, unknown>;
      server.addService(definition as grpc.ServiceDefinition, {
        ...implementation,
        check: (call: grpc.ServerUnaryCall<unknown, unknown>, callback: grpc.sendUnaryData<unknown>) => void refresh().then(() => check(call, callback)),
        watch: (call: grpc.ServerWritableStream<unknown, unknown>) =>
          void refresh().then(() => {
            if (ended || call.cancelled) return void call.end();
            track(call);
            watch(call);
          }),
      });
    },
  });

  return {
    endWatches() {
      set('NOT_SERVING');
      ended = true;
      for (const call of [...watches]) {
        untrack(call);
        call.end();
      }
    },
  };
}
