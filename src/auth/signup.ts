import { z } from 'zod';
import type { Knex } from '../db/connection.js';
import { ROLES } from '../domain/actor.js';
import { createUser, type UserView } from '../domain/users/users.js';
import { hashPassword } from './passwords.js';

/** The body of `POST /v1/signup` and of the sign-up page. */
export const SignupInput = z
  .object({
    email: z.email({ error: 'must be an email address' }).max(254),
    password: z
      .string()
      .min(8, { error: 'must be at least 8 characters' })
      .max(1024, { error: 'must be at most 1024 characters' }),
    name: z.string().trim().min(1, { error: 'must not be empty' }).max(200),
    role: z.enum(ROLES, { error: 'must be organiser or customer' }),
  })
  .strict()
  .meta({ id: 'Signup' });
export type SignupInput = z.infer<typeof SignupInput>;

/** Creates an account with a hashed password; 409 `email_taken` when the email is used. */
export async function signUp(knex: Knex, input: SignupInput): Promise<UserView> {
  const passwordHash = await hashPassword(input.password);
  return createUser(knex, { email: input.email, name: input.name, role: input.role, passwordHash });
}
