import type { Knex } from '../../db/connection.js';
import { isUniqueViolation, toDate } from '../../db/sql.js';
import { ConflictError, NotFoundError } from '../../shared/errors.js';
import { isId, newId } from '../../shared/ids.js';
import type { Role } from '../actor.js';

export interface UserView {
  id: string;
  email: string;
  name: string;
  role: Role;
  created_at: string;
}

export interface NewUser {
  email: string;
  name: string;
  role: Role;
  /** Already hashed by the caller (auth); null for accounts without a password. */
  passwordHash: string | null;
}

interface UserRow {
  id: string;
  email: string;
  name: string;
  role: Role;
  created_at: unknown;
}

/**
 * Creates a user and the profile of their role in one transaction. Emails are
 * compared case-insensitively: they are stored lower-cased under a unique index.
 */
export async function createUser(knex: Knex, input: NewUser, now = new Date()): Promise<UserView> {
  const row = {
    id: newId(),
    email: input.email.trim().toLowerCase(),
    name: input.name,
    role: input.role,
    password_hash: input.passwordHash,
    created_at: now,
    updated_at: now,
  };
  try {
    await knex.transaction(async (trx) => {
      await trx('users').insert(row);
      const profile = { user_id: row.id, display_name: row.name, created_at: now };
      await trx(input.role === 'organiser' ? 'organisers' : 'customers').insert(profile);
    });
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new ConflictError('email_taken', 'An account with this email already exists.');
    }
    throw error;
  }
  return toUserView(row);
}

export async function getUser(knex: Knex, id: string): Promise<UserView> {
  const row = isId(id) ? await knex<UserRow>('users').where({ id }).first() : undefined;
  if (!row) throw new NotFoundError('No such user.');
  return toUserView(row);
}

function toUserView(row: UserRow): UserView {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    role: row.role,
    created_at: toDate(row.created_at).toISOString(),
  };
}
