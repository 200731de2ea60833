import type Koa from 'koa';
import type { TokenVerifier } from '../../auth/tokens.js';
import type { Actor, Role } from '../../domain/actor.js';
import { AuthError, ForbiddenError } from '../../shared/errors.js';

const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*)$/i;

/**
 * The actor a request proves with `Authorization: Bearer <JWT>`, checked against
 * the roles the route allows: no or a bad token is a 401, a wrong role a 403.
 */
export async function authorize(
  ctx: Koa.Context,
  verifier: TokenVerifier,
  roles: readonly Role[],
): Promise<Actor> {
  const header = ctx.get('authorization');
  if (!header) throw new AuthError();
  const match = BEARER.exec(header);
  if (!match) throw new AuthError('Send the access token as "Authorization: Bearer <token>".');
  const actor = await verifier.verify(match[1]!);
  if (!roles.includes(actor.role)) {
    throw new ForbiddenError(`Only ${roles.join(' or ')}s may do this.`);
  }
  return actor;
}
