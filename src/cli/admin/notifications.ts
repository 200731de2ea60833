import { openDatabase } from '../../db/connection.js';
import { notificationsReport, retryFailed, type NotificationsReport } from '../../jobs/admin.js';
import { openQueue } from '../../jobs/redis.js';
import { createLogger } from '../../shared/logger.js';
import { printJson, printResult } from '../output.js';
import { adminConfig, type AdminFlags } from './admin-config.js';

export interface NotificationsFlags extends AdminFlags {
  retry?: boolean;
  json?: boolean;
  limit?: string;
}

/** `evbook notifications [--retry] [--json]`: pending, failed and recently sent. */
export async function runNotifications(flags: NotificationsFlags): Promise<void> {
  const config = adminConfig(flags);
  const logger = createLogger({ level: 'silent' });
  const db = openDatabase(config.databaseUrl);
  const queue = config.redisUrl ? openQueue(config, logger) : undefined;
  try {
    if (flags.retry) {
      const count = await retryFailed(db, queue);
      if (flags.json) printJson({ retried: count });
      else printResult(`re-queued ${count} failed notification${count === 1 ? '' : 's'}`);
      return;
    }
    const report = await notificationsReport(db, queue, Number(flags.limit ?? '20') || 20);
    if (flags.json) printJson(report);
    else printResult(formatReport(report));
  } finally {
    await queue?.close();
    await db.close();
  }
}

function formatReport(report: NotificationsReport): string {
  const lines: string[] = [];
  if (report.queue) {
    const counts = Object.entries(report.queue).map(([state, n]) => `${state} ${n}`);
    lines.push(`queue: ${counts.join(', ')}`, '');
  }
  lines.push(`pending (${report.pending.length}):`);
  for (const row of report.pending) {
    const error = row.lastError ? `  last error: ${row.lastError}` : '';
    lines.push(
      `  ${row.createdAt}  ${row.kind}  ${row.outboxId}  attempts ${row.attempts}${error}`,
    );
  }
  lines.push('', `failed (${report.failed.length}):`);
  for (const item of report.failed) {
    lines.push(
      `  ${item.failedAt ?? '-'}  ${item.kind}  ${item.source} ${item.id}  attempts ${item.attempts}  ${item.error ?? ''}`,
    );
  }
  lines.push('', `recently sent (${report.sent.length}):`);
  for (const row of report.sent) lines.push(`  ${row.sentAt}  ${row.recipient}  ${row.subject}`);
  return lines.join('\n');
}
