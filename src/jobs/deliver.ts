import type { Knex } from '../db/connection.js';
import { inGroupCommit } from '../db/group-commit.js';
import { returnedRows } from '../db/sql.js';
import { isNativeSqlite, prepared } from '../db/sqlite-native.js';
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
  if ((await recordedKeys(deps.knex, [email.dedupeKey])).size > 0) return 'skipped';
  await sendAndRecord(deps, email);
  return 'sent';
}

/**
 * Emails of a page in flight at once. Sending one at a time would use one of the SMTP
 * pool's connections and give the SQLite group commit one record per transaction; a
 * few at once use the pool and share commits. It is also how many emails a crash can
 * catch between sent and recorded (each is still recorded right after its own send).
 */
export const SENDS_IN_FLIGHT = 8;

/**
 * Sends a page of emails, checking what was already sent in one query. Keeps going
 * past a failed send so that one bad address does not hold back the others, then
 * throws the first error so the page is retried (the sent ones are skipped then).
 */
export async function deliverEmails(deps: DeliverDeps, emails: Email[]): Promise<number> {
  if (emails.length === 0) return 0;
  const recorded = await recordedKeys(
    deps.knex,
    emails.map((email) => email.dedupeKey),
  );

  let sent = 0;
  let firstError: unknown;
  await inFlight(
    emails.filter((email) => !recorded.has(email.dedupeKey)),
    async (email) => {
      try {
        await sendAndRecord(deps, email);
        sent++;
      } catch (error) {
        firstError ??= error;
      }
    },
  );
  if (firstError !== undefined) throw firstError;
  return sent;
}

/** Runs `work` on every item, `SENDS_IN_FLIGHT` at a time, in order of starting. */
export async function inFlight<T>(items: T[], work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(SENDS_IN_FLIGHT, items.length) }, lane));
}

/** Which of these de-duplication keys are already recorded as sent, in one query. */
export async function recordedKeys(knex: Knex, keys: string[]): Promise<Set<string>> {
  if (keys.length === 0) return new Set();
  return new Set(await knex('notifications').whereIn('dedupe_key', keys).pluck('dedupe_key'));
}

/** Sends, then records once the mail server accepted it (see above). */
export async function sendAndRecord(deps: DeliverDeps, email: Email): Promise<void> {
  await deps.mailer.send({ to: email.to, subject: email.subject, text: email.text });
  const recorded = await recordSent(deps.knex, email, new Date());
  // Another worker sent and recorded the same email meanwhile (a job taken over after
  // its lock expired): it went out twice, but it stays recorded once.
  if (!recorded)
    deps.logger.warn(
      { dedupeKey: email.dedupeKey },
      'email was sent concurrently by another worker',
    );
}

const INSERT_SENT = `insert into notifications
  (id, dedupe_key, outbox_id, recipient, subject, sent_at) values (?, ?, ?, ?, ?, ?)
  on conflict (dedupe_key) do nothing`;

/**
 * Records a sent email; false when its key was recorded already. On SQLite the insert
 * joins the group commit of the bookings being made meanwhile (`src/db/group-commit.ts`)
 * instead of paying a commit of its own.
 */
async function recordSent(knex: Knex, email: Email, now: Date): Promise<boolean> {
  const values = [
    newId(),
    email.dedupeKey,
    email.outboxId,
    email.to,
    email.subject.slice(0, 300),
  ] as const;
  if (isNativeSqlite(knex)) {
    const changes = await inGroupCommit(
      knex,
      (connection) => prepared(connection, INSERT_SENT).run(...values, now.getTime()).changes,
    );
    return changes > 0;
  }
  return returnedRows(await knex.raw(`${INSERT_SENT} returning id`, [...values, now])).length > 0;
}
