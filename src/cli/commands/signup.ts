import { ApiClient, type SignupRequest } from '../../client/api-client.js';
import { UsageError } from '../../shared/errors.js';
import { printJson, printResult } from '../output.js';
import { canPrompt, clientApiUrl, type ClientFlags } from './client-config.js';

export interface SignupFlags extends ClientFlags {
  email?: string;
  name?: string;
  role?: string;
  password?: string;
}

/**
 * `evbook signup`: creates an account. Missing fields are asked for when a
 * terminal is attached; otherwise every field must come as a flag.
 */
export async function runSignup(flags: SignupFlags): Promise<void> {
  const apiUrl = clientApiUrl(flags);
  const request = await completeSignup(flags);
  const user = await new ApiClient(apiUrl).signup(request);
  if (flags.json) return printJson(user);
  printResult(`Signed up ${user.name} <${user.email}> as ${user.role}. Run "evbook login" next.`);
}

async function completeSignup(flags: SignupFlags): Promise<SignupRequest> {
  const missing = (['email', 'name', 'role', 'password'] as const).filter((k) => !flags[k]);
  if (missing.length > 0 && !canPrompt(flags)) {
    throw new UsageError(
      'missing_flags',
      `Missing --${missing.join(', --')} (no terminal to ask, or --yes/--json given).`,
    );
  }
  const prompts = missing.length > 0 ? await import('@inquirer/prompts') : undefined;
  const email = flags.email ?? (await prompts!.input({ message: 'Email', required: true }));
  const name = flags.name ?? (await prompts!.input({ message: 'Name', required: true }));
  const role =
    flags.role ??
    (await prompts!.select({
      message: 'Role',
      choices: [
        { name: 'customer (book tickets)', value: 'customer' },
        { name: 'organiser (publish events)', value: 'organiser' },
      ],
    }));
  const password =
    flags.password ??
    (await prompts!.password({
      message: 'Password (at least 8 characters)',
      mask: true,
      validate: (value) => value.length >= 8 || 'At least 8 characters.',
    }));
  if (role !== 'organiser' && role !== 'customer') {
    throw new UsageError('bad_role', '--role must be organiser or customer.');
  }
  return { email, name, role, password };
}
