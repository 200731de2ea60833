import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/** One message the test SMTP server accepted. */
export interface ReceivedMail {
  to: string[];
  subject: string;
  body: string;
}

/**
 * A real SMTP server on a free local port. It can refuse the next messages with a
 * temporary 451 (a flaky relay), or hold the next message without ever answering
 * (a worker killed mid-send).
 */
export class TestSmtp {
  /** Messages accepted, in order. */
  readonly received: ReceivedMail[] = [];
  /** Every DATA transfer, accepted or not. */
  attempts = 0;
  private failures = 0;
  private holds = 0;
  private held: Array<() => void> = [];

  private constructor(
    private readonly server: SMTPServer,
    readonly url: string,
  ) {}

  static async start(): Promise<TestSmtp> {
    // The server's callback needs the instance, which needs the server's port.
    const self: { smtp?: TestSmtp } = {};
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      closeTimeout: 200,
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () =>
          self.smtp!.receive(Buffer.concat(chunks).toString('utf8'), session, callback),
        );
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.server.address() as AddressInfo;
    self.smtp = new TestSmtp(server, `smtp://127.0.0.1:${port}`);
    return self.smtp;
  }

  /** Refuses the next `count` messages with 451. */
  failNext(count: number): void {
    this.failures = count;
  }

  /** Never answers the next `count` messages. */
  holdNext(count: number): void {
    this.holds = count;
  }

  /** Messages held unanswered so far. */
  get heldCount(): number {
    return this.held.length;
  }

  private receive(
    raw: string,
    session: { envelope: { rcptTo: Array<{ address: string }> } },
    callback: (error?: Error | null) => void,
  ): void {
    this.attempts++;
    if (this.holds > 0) {
      this.holds--;
      this.held.push(() => this.accept(raw, session, callback));
      return;
    }
    if (this.failures > 0) {
      this.failures--;
      callback(Object.assign(new Error('Try again later'), { responseCode: 451 }));
      return;
    }
    this.accept(raw, session, callback);
  }

  /** Answers the held messages now, accepting them. */
  releaseHeld(): void {
    for (const release of this.held.splice(0)) release();
  }

  private accept(
    raw: string,
    session: { envelope: { rcptTo: Array<{ address: string }> } },
    callback: (error?: Error | null) => void,
  ): void {
    const [head = '', ...rest] = raw.split(/\r?\n\r?\n/);
    const subject =
      /^Subject: (.*(?:\r?\n[ \t].*)*)$/m.exec(head)?.[1]?.replace(/\r?\n[ \t]/g, ' ') ?? '';
    this.received.push({
      to: session.envelope.rcptTo.map((r) => r.address),
      subject,
      body: rest
        .join('\n\n')
        .replace(/=\r?\n/g, '')
        .replace(/\r\n/g, '\n'),
    });
    callback();
  }

  async close(): Promise<void> {
    this.held.splice(0);
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
