import { assertReachable, openDatabase } from '../../db/connection.js';
import { findStockDrift } from '../../domain/audit.js';
import { ConflictError } from '../../shared/errors.js';
import { printJson, printResult } from '../output.js';
import { adminConfig, type AdminFlags } from './admin-config.js';

export interface VerifyFlags extends AdminFlags {
  json?: boolean;
}

/**
 * `evbook verify`: recomputes sold counts from bookings and reports any drift.
 * Exits 0 when the books balance, 67 (a conflict; the drift listed) when they do not.
 */
export async function runVerify(flags: VerifyFlags): Promise<void> {
  const config = adminConfig(flags);
  const db = openDatabase(config.databaseUrl);
  try {
    await assertReachable(db, config.databaseUrl);
    const drift = await findStockDrift(db.knex);
    if (flags.json) printJson({ drift });
    else if (drift.length === 0) printResult('ok: every sold count matches its confirmed bookings');
    else {
      printResult(
        drift
          .map(
            (d) =>
              `${d.ticket_type_id} (${d.name}): sold ${d.sold}, booked ${d.booked}, capacity ${d.quantity}`,
          )
          .join('\n'),
      );
    }
    if (drift.length > 0) {
      throw new ConflictError(
        'stock_drift',
        `${drift.length} ticket type(s) drifted from their bookings`,
      );
    }
  } finally {
    await db.close();
  }
}
