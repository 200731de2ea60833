import {
  createConnection,
  createServer,
  type AddressInfo,
  type Server,
  type Socket,
} from 'node:net';

/**
 * A TCP proxy in front of a server that, once, lets a matching request through and
 * then resets the client's connection as soon as the answer starts to come back: the
 * server has done the work, the client sees a network failure.
 */
export class FlakyProxy {
  /** Requests whose first line matched and whose connection was dropped. */
  dropped = 0;
  /** Every request line the proxy saw, in order. */
  readonly requests: string[] = [];
  /** The Idempotency-Key header of each request that had one, in order. */
  readonly idempotencyKeys: string[] = [];
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    private readonly dropFirst: RegExp,
  ) {}

  static async start(target: string, dropFirst: RegExp): Promise<FlakyProxy> {
    const { hostname, port } = new URL(target);
    const server = createServer();
    const proxy = new FlakyProxy(server, dropFirst);
    server.on('connection', (client) => proxy.relay(client, hostname, Number(port)));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  private relay(client: Socket, host: string, port: number): void {
    const upstream = createConnection({ host, port });
    this.sockets.add(client).add(upstream);
    let drop = false;
    client.on('data', (chunk) => {
      const line = chunk.toString('latin1').split('\r\n')[0] ?? '';
      if (/^[A-Z]+ \//.test(line)) this.requests.push(line);
      const key = /\r\nidempotency-key: *([^\r]+)/i.exec(chunk.toString('latin1'));
      if (key) this.idempotencyKeys.push(key[1]!);
      if (this.dropped === 0 && this.dropFirst.test(line)) {
        drop = true;
        this.dropped++;
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk) => {
      if (drop) {
        client.resetAndDestroy();
        upstream.destroy();
        return;
      }
      client.write(chunk);
    });
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise((resolve) => this.server.close(resolve));
  }
}
