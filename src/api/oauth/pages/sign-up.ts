import { errorLine, html, page } from './layout.js';

export interface SignUpForm {
  uid: string;
  csrf: string;
  email?: string;
  name?: string;
  role?: string;
  error?: string;
}

/** The sign-up page of an interaction; an account made here signs straight in. */
export function signUpPage(form: SignUpForm): string {
  const role = (value: string, label: string) =>
    html`<option value="${value}" ${form.role === value ? html` selected` : ''}>${label}</option>`;
  return page(
    'Create an account',
    html`<h1>Create an evbook account</h1>
      ${errorLine(form.error)}
      <form method="post" action="/interaction/${form.uid}/signup">
        <input type="hidden" name="csrf" value="${form.csrf}" />
        <label for="name">Name</label>
        <input
          id="name"
          name="name"
          value="${form.name ?? ''}"
          autocomplete="name"
          required
          autofocus
        />
        <label for="email">Email</label>
        <input
          id="email"
          name="email"
          type="email"
          value="${form.email ?? ''}"
          autocomplete="username"
          required
        />
        <label for="password">Password (at least 8 characters)</label>
        <input
          id="password"
          name="password"
          type="password"
          minlength="8"
          autocomplete="new-password"
          required
        />
        <label for="role">I want to</label>
        <select id="role" name="role">
          ${role('customer', 'book tickets (customer)')}
          ${role('organiser', 'publish events (organiser)')}
        </select>
        <button type="submit">Create account</button>
      </form>
      <p>Already have an account? <a href="/interaction/${form.uid}">Sign in</a></p>`,
  );
}
