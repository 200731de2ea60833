import type { Knex } from '../db/connection.js';
import { isUniqueViolation } from '../db/sql.js';
import { newId } from '../shared/ids.js';
import type { Logger } from '../shared/logger.js';
import type { Mailer } from './mailers/mailer.js';
import type { Email } from './names.js';

/**
 * Delivery guarantee: check, send, then record (at least once).
 *
 * An email already recorded under its `dedupe_key` is never sent again. Otherwise it is
 * sent, and recorded only once the mail server accepted it; the job is acknowledged
 * after that. A failed send records nothing, so the retry sends it. The one window for
 * a duplicate is a crash between the server's acceptance and the insert: the retry then
 * sends it a second time (and records it once). Recording first would close that
 * window but lose the email instead when the process dies before sending, and losing a
 * cancellation notice is worse than repeating one.
 */

export interface DeliverDeps {
  knex: Knex;
  mailer: Mailer;
  logger: Logger;
}

/** Sends one email unless already recorded as sent. */
export async function deliverEmail(deps: DeliverDeps, email: Email): Promise<'sent' | 'skipped'> {
  const recorded = await deps
    .knex('notifications')
    .where({ dedupe_key: email.dedupeKey })
    .first('id');
  if (recorded) return 'skipped';

  await deps.mailer.send({ to: email.to, subject: email.subject, text: email.text });
  await recordSent(deps, email);
  return 'sent';
}

/**
 * Sends a page of emails, checking what was already sent in one query. Keeps going
 * past a failed send so that one bad address does not hold back the others, then
 * throws the first error so the page is retried (the sent ones are skipped then).
 */
export async function deliverEmails(deps: DeliverDeps, emails: Email[]): Promise<number> {
  if (emails.length === 0) return 0;
  const recorded = new Set(
    await deps
      .knex('notifications')
      .whereIn(
        'dedupe_key',
        emails.map((email) => email.dedupeKey),
      )
      .pluck('dedupe_key'),
  );

  let sent = 0;
  let firstError: unknown;
  for (const email of emails) {
    if (recorded.has(email.dedupeKey)) continue;
    try {
      await deps.mailer.send({ to: email.to, subject: email.subject, text: email.text });
      await recordSent(deps, email);
      sent++;
    } catch (error) {
      firstError ??= error;
    }
  }
  if (firstError !== undefined) throw firstError;
  return sent;
}

async function recordSent(deps: DeliverDeps, email: Email): Promise<void> {
  try {
    await deps.knex('notifications').insert({
      id: newId(),
      dedupe_key: email.dedupeKey,
      outbox_id: email.outboxId,
      recipient: email.to,
      subject: email.subject.slice(0, 300),
      sent_at: new Date(),
    });
  } catch (error) {
    // Another worker sent and recorded the same email meanwhile (a job taken over after
    // its lock expired): it went out twice, but it stays recorded once.
    if (!isUniqueViolation(error)) throw error;
    deps.logger.warn(
      { dedupeKey: email.dedupeKey },
      'email was sent concurrently by another worker',
    );
  }
}
