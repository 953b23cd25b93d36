/**
 * Shutting an HTTP server down without losing a request a client has sent.
 *
 * A kept-alive connection is the hazard: a server that closes it while the
 * client is writing its next request resets that request. So the server
 * first drains: it keeps serving, but every response on a connection opened
 * before the drain carries `Connection: close`, and the client reconnects
 * (elsewhere, once the endpoints forget this pod). Connections opened during
 * the drain are kept alive until closing, so that clients are not busy
 * reconnecting at the moment the listener closes (a connection still in the
 * listen backlog then would be reset). Closing stops accepting (new
 * connections are refused before anything is sent), answers each further
 * request with `Connection: close`, gives connections that have not sent
 * their request yet a moment to do so, and only then closes idle connections
 * and waits for the requests in flight.
 */
import { EventEmitter, once } from 'node:events';
import type { Server } from 'node:http';
import { Server as NetServer, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

interface Connection {
  requests: number;
  idleSince: number;
  openedBeforeDrain: boolean;
}

export class ConnectionDrain {
  private readonly connections = new Map<Socket, Connection>();
  private readonly changes = new EventEmitter();
  private draining = false;
  private closing = false;

  /** `idleGraceMs`: how long a connection without a request may stay open once closing has begun. */
  constructor(
    private readonly server: Server,
    private readonly idleGraceMs = 1000,
  ) {
    server.on('connection', (socket: Socket) => {
      this.connections.set(socket, { requests: 0, idleSince: Date.now(), openedBeforeDrain: false });
      socket.once('close', () => {
        this.connections.delete(socket);
        this.changes.emit('change');
      });
    });
    server.on('request', (request, response) => {
      const connection = this.connections.get(request.socket);
      if (!connection) return;
      connection.requests++;
      response.once('close', () => {
        connection.requests--;
        connection.idleSince = Date.now();
        this.changes.emit('change');
      });
    });
  }

  /** True from the start of the drain: the service should say it is not ready. */
  get isShuttingDown(): boolean {
    return this.draining || this.closing;
  }

  /** Whether the response on `socket` should ask the client to close the connection. */
  shouldCloseConnection(socket: Socket): boolean {
    return this.closing || (this.draining && this.connections.get(socket)?.openedBeforeDrain === true);
  }

  /** Starts draining; resolves once no connection is left (the drain period may end first). */
  async drain(): Promise<void> {
    if (!this.draining) {
      this.draining = true;
      for (const connection of this.connections.values()) connection.openedBeforeDrain = true;
    }
    while (this.connections.size > 0) await once(this.changes, 'change');
  }

  /** Stops accepting; resolves once every remaining connection is either busy or has been idle for idleGraceMs. */
  async stopAccepting(): Promise<void> {
    this.closing = true;
    // net's close, not http's: http's would also destroy connections that were
    // accepted but whose request has not been read yet, resetting that request.
    if (this.server.listening) NetServer.prototype.close.call(this.server);
    for (;;) {
      const wait = this.untilQuiet();
      if (wait <= 0) return;
      const change = new AbortController();
      await Promise.race([
        sleep(wait, undefined, { signal: change.signal }).catch(() => undefined),
        once(this.changes, 'change', { signal: change.signal }).catch(() => undefined),
      ]);
      change.abort();
    }
  }

  /** Milliseconds until every connection without a request in flight has been idle for idleGraceMs. */
  private untilQuiet(): number {
    const now = Date.now();
    let wait = 0;
    for (const connection of this.connections.values()) {
      if (connection.requests === 0) wait = Math.max(wait, connection.idleSince + this.idleGraceMs - now);
    }
    return wait;
  }
}
