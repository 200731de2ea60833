import { errorLine, html, page } from './layout.js';

export interface SignInForm {
  uid: string;
  csrf: string;
  email?: string;
  error?: string;
}

/** The sign-in page of an interaction, with a link to sign up instead. */
export function signInPage(form: SignInForm): string {
  return page(
    'Sign in',
    html`<h1>Sign in to evbook</h1>
      ${errorLine(form.error)}
      <form method="post" action="/interaction/${form.uid}/login">
        <input type="hidden" name="csrf" value="${form.csrf}" />
        <label for="email">Email</label>
        <input
          id="email"
          name="email"
          type="email"
          value="${form.email ?? ''}"
          autocomplete="username"
          required
          autofocus
        />
        <label for="password">Password</label>
        <input
          id="password"
          name="password"
          type="password"
          autocomplete="current-password"
          required
        />
        <button type="submit">Sign in</button>
      </form>
      <p>New to evbook? <a href="/interaction/${form.uid}/signup">Create an account</a></p>`,
  );
}
