import type { Logger } from '../../shared/logger.js';
import type { MailMessage, Mailer } from './mailer.js';

/**
 * The default mailer: one log line per email naming recipient and subject, for
 * development and demos. Nothing leaves the machine.
 */
export function createConsoleMailer(logger: Logger): Mailer {
  return {
    kind: 'console',
    async send(message: MailMessage) {
      // A fan-out calls this 100,000 times: build nothing when the line would be dropped.
      if (!logger.isLevelEnabled('info')) return;
      logger.info(
        { mail: { to: message.to, subject: message.subject } },
        `email to ${message.to}: ${message.subject}`,
      );
    },
    async close() {},
  };
}
