import { openDatabase } from '../../db/connection.js';
import { migrateLatest, migrateRollback, migrationStatus } from '../../db/migrate.js';
import { printResult } from '../output.js';
import { adminConfig, type AdminFlags } from './admin-config.js';

export interface MigrateFlags extends AdminFlags {
  all?: boolean;
}

/** `evbook migrate [latest|rollback|status]`. */
export async function runMigrate(
  action: 'latest' | 'rollback' | 'status',
  flags: MigrateFlags,
): Promise<void> {
  const config = adminConfig(flags);
  const db = openDatabase(config.databaseUrl);
  try {
    if (action === 'latest') {
      const applied = await migrateLatest(db);
      printResult(applied.length ? `applied:\n  ${applied.join('\n  ')}` : 'already up to date');
    } else if (action === 'rollback') {
      const reverted = await migrateRollback(db, flags.all ?? false);
      printResult(reverted.length ? `reverted:\n  ${reverted.join('\n  ')}` : 'nothing to revert');
    } else {
      const status = await migrationStatus(db);
      const lines = [
        ...status.completed.map((name) => `  applied  ${name}`),
        ...status.pending.map((name) => `  pending  ${name}`),
      ];
      printResult(
        `${status.pending.length} pending, ${status.completed.length} applied\n${lines.join('\n')}`,
      );
    }
  } finally {
    await db.close();
  }
}
