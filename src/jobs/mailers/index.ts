export type { MailMessage, Mailer } from './mailer.js';
export { createConsoleMailer } from './console.js';
export { createSmtpMailer } from './smtp.js';
export { createMailer } from './create.js';
