import './runtime-notice.js';
import { errors } from 'oidc-provider';
import { isConnectionFailure } from '../../db/sql.js';

/** What a client is told during an outage, wherever it is answered; nothing about the cause. */
export const UNAVAILABLE_DESCRIPTION = 'The service is temporarily unavailable; try again shortly.';

/**
 * The database is out of reach inside the authorization server. oidc-provider turns
 * any other error into a 500 `server_error`; this one it answers in its own format
 * (RFC 6749 JSON, or the error page) as a 503 `temporarily_unavailable`, which a
 * client may retry. Exposed: the description says nothing about the cause.
 */
export class TemporarilyUnavailable extends errors.OIDCProviderError {
  override error_description = UNAVAILABLE_DESCRIPTION;

  constructor(cause: unknown) {
    super(503, 'temporarily_unavailable', { cause });
    this.expose = true;
  }
}

/** Runs `work`; a lost database connection becomes a TemporarilyUnavailable. */
export async function orUnavailable<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw isConnectionFailure(error) ? new TemporarilyUnavailable(error) : error;
  }
}
