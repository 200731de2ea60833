import type { Knex } from '../db/connection.js';
import { findCredentialsByEmail } from '../domain/users/credentials.js';
import { dummyHash, verifyPassword } from './passwords.js';

/** Checks a password against a stored hash; `verifyPassword` unless a test watches the calls. */
export type VerifyPassword = (password: string, stored: string) => Promise<boolean>;

/**
 * The id of the user these credentials prove, or undefined. An unknown email, or an
 * account without a password, is checked against a dummy hash of the same cost, so
 * every attempt runs one scrypt and response times do not reveal which emails exist.
 */
export async function checkCredentials(
  knex: Knex,
  email: string,
  password: string,
  verify: VerifyPassword = verifyPassword,
): Promise<string | undefined> {
  const user = await findCredentialsByEmail(knex, email);
  const isValid = await verify(password, user?.passwordHash ?? (await dummyHash()));
  return user?.passwordHash && isValid ? user.id : undefined;
}
