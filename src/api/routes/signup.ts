import { SignupInput, signUp } from '../../auth/signup.js';
import { signUpBucket, spend } from '../oauth/limits.js';
import { UserView } from './me.js';
import { defineRoute, type AnyRoute } from './route.js';

export const signupRoutes: AnyRoute[] = [
  defineRoute({
    method: 'post',
    path: '/v1/signup',
    operationId: 'signUp',
    summary: 'Create an account (then log in with OAuth 2.0)',
    tag: 'identity',
    roles: [],
    anonymous: true,
    body: SignupInput,
    success: { status: 201, description: 'The new user', schema: UserView },
    errors: [409, 415, 422, 429],
    handle: async ({ body, clientAddress, deps }) => {
      await spend(deps.db.knex, signUpBucket(clientAddress), deps.config.authRateLimit);
      return { body: await signUp(deps.db.knex, body) };
    },
  }),
];
