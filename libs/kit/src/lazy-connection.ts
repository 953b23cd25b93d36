/**
 * A client's connection, opened with its first call: the client library loads then, so a process
 * that never makes the call (embedded: its services call each other in-process) never loads it
 * (docs/design.md §13). Closed before or while it opens, it is closed once open, exactly once.
 */
export class LazyConnection<T> {
  private value: T | undefined;
  private opening: Promise<T> | undefined;
  private closed = false;

  constructor(
    private readonly connect: () => Promise<T>,
    private readonly disconnect: (connection: T) => unknown,
  ) {}

  /** The connection once open: a call checks this first and awaits nothing on its way. */
  get current(): T | undefined {
    return this.value;
  }

  open(): Promise<T> {
    this.opening ??= this.connect().then((connection) => {
      this.value = connection;
      // Closed meanwhile: a call now fails as on any closed client.
      if (this.closed) this.end(connection);
      return connection;
    });
    return this.opening;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.value !== undefined) this.end(this.value);
  }

  private end(connection: T): void {
    void Promise.resolve()
      .then(() => this.disconnect(connection))
      .catch(() => undefined);
  }
}
