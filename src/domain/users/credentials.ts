import type { Knex } from '../../db/connection.js';
import type { Role } from '../actor.js';

export interface UserCredentials {
  id: string;
  role: Role;
  passwordHash: string | null;
}

/** The id, role and password hash of the user with this email (any case), if any. */
export async function findCredentialsByEmail(
  knex: Knex,
  email: string,
): Promise<UserCredentials | undefined> {
  const row = (await knex('users')
    .where({ email: email.trim().toLowerCase() })
    .first('id', 'role', 'password_hash')) as
    { id: string; role: Role; password_hash: string | null } | undefined;
  return row && { id: row.id, role: row.role, passwordHash: row.password_hash };
}
