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
