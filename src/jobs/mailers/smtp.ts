import { createTransport } from 'nodemailer';
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
 */
export function createSmtpMailer(options: SmtpMailerOptions): Mailer {
  const transport = createTransport(options.url);
  return {
    kind: 'smtp',
    async send(message: MailMessage) {
      await transport.sendMail({ from: options.from, ...message });
    },
    async close() {
      transport.close();
    },
  };
}
