import { html, page } from './layout.js';

export interface ConsentForm {
  uid: string;
  csrf: string;
  clientName: string;
  userName: string;
  email: string;
  role: string;
}

/** Approve or deny: the last step before the device receives tokens. */
export function consentPage(form: ConsentForm): string {
  return page(
    'Allow access',
    html`<h1>Allow access?</h1>
      <p>
        <strong>${form.clientName}</strong> wants to act as
        <strong>${form.userName}</strong> (${form.email}, ${form.role}) until you sign out there.
      </p>
      <form method="post" action="/interaction/${form.uid}/confirm">
        <input type="hidden" name="csrf" value="${form.csrf}" />
        <button type="submit">Allow</button>
        <button type="submit" formaction="/interaction/${form.uid}/deny" class="secondary">
          Deny
        </button>
      </form>`,
  );
}

/** Shown for an interaction that cannot go on (expired, cookies missing...). */
export function interactionErrorPage(message: string): string {
  return page(
    'Something went wrong',
    html`<h1>Something went wrong</h1>
      <p class="error" role="alert">${message}</p>
      <p>Start again from your device.</p>`,
  );
}

/** Shown when an address has made too many attempts. */
export function tooManyAttemptsPage(retryAfterSeconds: number): string {
  return page(
    'Too many attempts',
    html`<h1>Too many attempts</h1>
      <p class="error" role="alert">Wait ${retryAfterSeconds} seconds, then try again.</p>`,
  );
}

/** Shown while the database is out of reach: nothing was done, the same step may be retried. */
export function unavailablePage(): string {
  return page(
    'Try again shortly',
    html`<h1>Try again shortly</h1>
      <p class="error" role="alert">evbook cannot complete this step right now.</p>
      <p>Nothing was changed. Go back and try again in a moment.</p>`,
  );
}
