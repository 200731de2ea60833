import { once } from 'node:events';
import { createConnection, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy in front of the shared PostgreSQL server, for fault tests: closing it
 * makes the database unreachable to whoever connects through it, `cut()` drops
 * every open connection, `swallow()` keeps connections up but silent, and none of
 * them touches the server itself.
 */
export class TcpProxy {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private readonly pairs = new Set<Pair>();
  private silent = false;
  private swallowing = false;
  private swallowAfter: RegExp | undefined;

  private constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
    public port: number,
  ) {}

  /** Starts a proxy to `targetUrl`'s host and port, on a free local port. */
  static async start(targetUrl: string): Promise<TcpProxy> {
    const target = new URL(targetUrl);
    const proxy = new TcpProxy(target.hostname, Number(target.port || 5432), 0);
    await proxy.open();
    return proxy;
  }

  /** `databaseUrl` with its host and port replaced by the proxy's. */
  urlFor(databaseUrl: string): string {
    const url = new URL(databaseUrl);
    url.hostname = '127.0.0.1';
    url.port = String(this.port);
    return url.toString();
  }

  /** Listens again (on the same port once it has one): the database is back. */
  async open(): Promise<void> {
    this.silent = false;
    this.swallowing = false;
    this.swallowAfter = undefined;
    // A network that comes back finds the connections it held dead on both ends.
    for (const pair of this.pairs) {
      if (pair.state !== 'open') this.drop(pair);
    }
    if (this.server) return;
    const server = createServer((client) => this.pipe(client));
    server.listen(this.port, '127.0.0.1');
    await once(server, 'listening');
    const address = server.address();
    this.port = typeof address === 'object' && address ? address.port : this.port;
    this.server = server;
  }

  /**
   * Drops every connection, then accepts new ones but forwards nothing: a database
   * host that has gone silent (packets dropped) rather than one refusing connections.
   * `open()` ends it.
   */
  blackhole(): void {
    this.silent = true;
    this.cut();
  }

  /**
   * Holds every connection, open and new, and swallows everything: bytes are dropped
   * both ways and neither side's close is passed on, as when the database host goes
   * silent but TCP stays up. A pooled connection keeps its socket and its query never
   * gets an answer; the server does not learn that the client gave up.
   *
   * With `after`, connections keep working until the client sends a statement whose
   * text matches it: that statement still reaches the server (up to its Sync message,
   * so the server runs it) but its answer does not come back, and from then on that
   * connection alone is held. `open()` ends it and drops the held connections.
   */
  swallow(options: { after?: RegExp } = {}): void {
    if (options.after) {
      this.swallowAfter = options.after;
      return;
    }
    this.swallowing = true;
    for (const pair of this.pairs) pair.state = 'held';
  }

  /** Drops every connection through the proxy, as a server restart or a network fault would. */
  cut(): void {
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    this.pairs.clear();
  }

  /** Stops listening and drops every connection: the database is unreachable. */
  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    this.cut();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private pipe(client: Socket): void {
    if (this.silent) {
      this.sockets.add(client);
      client.on('error', () => client.destroy());
      client.on('close', () => this.sockets.delete(client));
      return;
    }
    const upstream = createConnection(this.targetPort, this.targetHost);
    const pair: Pair = { client, upstream, state: this.swallowing ? 'held' : 'open' };
    this.pairs.add(pair);
    client.on('data', (chunk: Buffer) => {
      if (pair.state === 'open' && this.swallowAfter?.test(chunk.toString('latin1'))) {
        pair.state = 'draining';
      }
      if (pair.state === 'held') return;
      upstream.write(chunk);
      // The extended protocol ends a statement with Sync; a simple query is one message.
      if (pair.state === 'draining' && (chunk[0] === SIMPLE_QUERY || endsWithSync(chunk))) {
        pair.state = 'held';
      }
    });
    upstream.on('data', (chunk: Buffer) => {
      if (pair.state === 'open') client.write(chunk);
    });
    for (const socket of [client, upstream]) {
      this.sockets.add(socket);
      // A held connection passes on no close: the other end never learns of it.
      const end = () => {
        this.sockets.delete(socket);
        if (pair.state === 'open') this.drop(pair);
        else socket.destroy();
      };
      socket.on('error', end);
      socket.on('close', end);
    }
  }

  private drop(pair: Pair): void {
    this.pairs.delete(pair);
    pair.client.destroy();
    pair.upstream.destroy();
  }
}

/** One client connection and its connection to the server. */
interface Pair {
  client: Socket;
  upstream: Socket;
  /**
   * `open` forwards both ways; `draining` forwards the client's statement but none
   * of the answer; `held` forwards nothing and passes on no close.
   */
  state: 'open' | 'draining' | 'held';
}

/** PostgreSQL's Query message (simple protocol) starts with `Q`. */
const SIMPLE_QUERY = 0x51;
const SYNC = Buffer.from([0x53, 0, 0, 0, 4]);

function endsWithSync(chunk: Buffer): boolean {
  return chunk.subarray(-SYNC.length).equals(SYNC);
}
