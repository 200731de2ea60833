/** One outgoing message. */
export interface MailMessage {
  to: string;
  subject: string;
  text: string;
}

/** Sends email. `send` resolves once the transport accepted the message, and throws otherwise. */
export interface Mailer {
  readonly kind: 'console' | 'smtp';
  send(message: MailMessage): Promise<void>;
  close(): Promise<void>;
}
