import type { KoaContextWithOIDC } from 'oidc-provider';
import type { DevicePages } from '../../../auth/oauth/provider.js';
import type { Knex } from '../../../db/connection.js';
import { recordFailure, userCodeBucket } from '../limits.js';
import { errorLine, html, page } from './layout.js';

/** Errors the library raises for a user code that does not lead anywhere. */
const BAD_CODE = new Set(['NotFoundError', 'ExpiredError', 'AlreadyUsedError', 'NoCodeError']);

export interface DevicePagesOptions {
  knex: Knex;
}

/** The device-flow pages oidc-provider renders: enter the code, confirm it, done. */
export function devicePages({ knex }: DevicePagesOptions): DevicePages {
  return {
    async userCodeInput(ctx, form) {
      const error = form.error;
      const isBadCode = error !== undefined && BAD_CODE.has(error.name);
      if (isBadCode) await recordFailure(knex, userCodeBucket(ctx.ip));
      const state = ctx.state as { prefillUserCode?: string };
      const userCode = form.userCode ?? state.prefillUserCode ?? '';
      const denied = (error as { error?: string } | undefined)?.error === 'access_denied';

      if (denied || error?.name === 'AbortedError') {
        return respond(
          ctx,
          'Request denied',
          html`<h1>Request denied</h1>
            <p>The device was not given access. You can close this page.</p>`,
        );
      }
      const message = isBadCode
        ? 'That code is not valid or has expired. Check it and try again.'
        : error
          ? 'Something went wrong with that request. Start again from your device.'
          : undefined;
      respond(
        ctx,
        'Connect a device',
        html`<h1>Connect a device</h1>
          <p>Enter the code shown by the evbook command on your device.</p>
          ${errorLine(message)}
          <form method="post" action="${form.action}">
            <input type="hidden" name="xsrf" value="${form.xsrf}" />
            <label for="user_code">Code</label>
            <input
              id="user_code"
              name="user_code"
              value="${userCode}"
              autocomplete="off"
              autocapitalize="characters"
              required
              autofocus
            />
            <button type="submit">Continue</button>
          </form>`,
      );
    },

    async userCodeConfirm(ctx, form) {
      respond(
        ctx,
        'Check the code',
        html`<h1>Check the code</h1>
          <p>
            <strong>${form.clientName}</strong> wants to sign in. Make sure your device shows this
            code:
          </p>
          <p class="code">${form.userCode}</p>
          <form method="post" action="${form.action}">
            <input type="hidden" name="xsrf" value="${form.xsrf}" />
            <input type="hidden" name="user_code" value="${form.userCode}" />
            <button type="submit" name="confirm" value="yes">Continue</button>
            <button type="submit" name="abort" value="yes" class="secondary">Cancel</button>
          </form>`,
      );
    },

    async success(ctx) {
      respond(
        ctx,
        'Device connected',
        html`<h1>Device connected</h1>
          <p>You are signed in on your device. You can close this page.</p>`,
      );
    },

    error(ctx, out) {
      respond(
        ctx,
        'Something went wrong',
        html`<h1>Something went wrong</h1>
          ${errorLine(out.error_description ?? out.error)}
          <p>Start again from your device.</p>`,
      );
    },
  };
}

function respond(ctx: KoaContextWithOIDC, title: string, body: ReturnType<typeof html>): void {
  ctx.type = 'html';
  ctx.set('Cache-Control', 'no-store');
  ctx.body = page(title, body);
}
