import type { Knex } from '../db/connection.js';
import { findCredentialsByEmail } from '../domain/users/credentials.js';
import { dummyHash, verifyPassword } from './passwords.js';

/**
 * The id of the user these credentials prove, or undefined. An unknown email costs
 * as much as a wrong password, so response times do not reveal which emails exist.
 */
export async function checkCredentials(
  knex: Knex,
  email: string,
  password: string,
): Promise<string | undefined> {
  const user = await findCredentialsByEmail(knex, email);
  const isValid = await verifyPassword(password, user?.passwordHash ?? (await dummyHash()));
  return user && isValid ? user.id : undefined;
}
