import type { Config } from '../../shared/config.js';
import type { Logger } from '../../shared/logger.js';
import { createConsoleMailer } from './console.js';
import type { Mailer } from './mailer.js';
import { createSmtpMailer } from './smtp.js';

/** The mailer `EVBOOK_MAIL_URL` names: `console` (default) or an SMTP server. */
export function createMailer(config: Readonly<Config>, logger: Logger): Mailer {
  if (config.mailUrl === 'console') return createConsoleMailer(logger);
  return createSmtpMailer({ url: config.mailUrl, from: config.mailFrom });
}
