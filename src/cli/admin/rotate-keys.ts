import { openDatabase } from '../../db/connection.js';
import { rotateServerKeys } from '../../api/rotate-keys.js';
import { printResult } from '../output.js';
import { adminConfig, type AdminFlags } from './admin-config.js';

export interface RotateKeysFlags extends AdminFlags {
  cookieKey?: boolean;
}

/**
 * `evbook rotate-keys`: adds a new token-signing key (and, with --cookie-key, a new
 * cookie secret) to the database. Older keys stay published and keep verifying;
 * `serve` processes sign with the newest key once restarted.
 */
export async function runRotateKeys(flags: RotateKeysFlags): Promise<void> {
  const config = adminConfig(flags);
  const db = openDatabase(config.databaseUrl);
  try {
    const newest = await rotateServerKeys(db.knex, { cookieKey: flags.cookieKey });
    printResult(
      `new signing key ${newest.kid} (generation ${newest.generation})` +
        (flags.cookieKey ? ' and a new cookie secret' : '') +
        '; restart every evbook serve process to start using it.',
    );
  } finally {
    await db.close();
  }
}
