import type { Transporter } from 'nodemailer';
import type { MailMessage, Mailer } from './mailer.js';

export interface SmtpMailerOptions {
  /** `smtp://[user:pass@]host:port` or `smtps://...`. */
  url: string;
  /** The From header. */
  from: string;
}

/**
 * Sends through an SMTP server with nodemailer. A rejection by the server (4xx or
 * 5xx) or a lost connection throws, and the job is retried with back-off.
 *
 * Connections are pooled (up to 5, each reused for up to 100 messages): a fan-out to
 * thousands of holders would otherwise pay a TCP and SMTP handshake per email. Query
 * parameters of the URL override this, e.g. `?maxConnections=10` or `?pool=false`.
 *
 * nodemailer (about 10 MB resident) is loaded with the first email, not at start-up:
 * a `serve` on the default console mailer never loads it, and the URL was checked
 * with the rest of the configuration already.
 */
export function createSmtpMailer(options: SmtpMailerOptions): Mailer {
  let transport: Promise<Transporter> | undefined;
  const open = () =>
    (transport ??= import('nodemailer').then(({ createTransport }) =>
      createTransport({ url: options.url, pool: true }),
    ));
  return {
    kind: 'smtp',
    async send(message: MailMessage) {
      await (await open()).sendMail({ from: options.from, ...message });
    },
    async close() {
      if (transport) (await transport).close();
    },
  };
}
