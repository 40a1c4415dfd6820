import { html, page, type Html } from '../pages/html.js';

/** The authorize request's parameters, carried through the sign-in form unchanged. */
export type AuthorizeParams = Record<string, string>;

export interface SignInPage {
  orgName: string;
  clientName: string;
  params: AuthorizeParams;
  username?: string;
  error?: string;
  /** The sandbox's one password for every seeded user, shown because it protects nothing. */
  password: string;
  users: { name: string; email: string }[];
}

/** The org's login page: one form, the authorize parameters in hidden fields, no script. */
export function renderSignInPage(p: SignInPage): string {
  const hidden: Html[] = Object.entries(p.params).map(
    ([name, value]) => html`<input type="hidden" name="${name}" value="${value}" />`,
  );
  return page({
    title: `Sign in – ${p.orgName}`,
    styles: ['/sandbox/assets/sign-in.css'],
    body: html`<main class="sign-in">
      <h1>Sign in to ${p.orgName}</h1>
      <p class="app">to continue to <strong id="client-name">${p.clientName}</strong></p>
      ${p.error ? html`<p id="sign-in-error" role="alert">${p.error}</p>` : html``}
      <form method="post" action="/oauth/authorize" id="sign-in-form">
        ${hidden}
        <label for="username">Email</label>
        <input
          id="username"
          name="username"
          type="email"
          autocomplete="username"
          required
          value="${p.username ?? ''}"
        />
        <label for="password">Password</label>
        <input id="password" name="password" type="password" autocomplete="current-password" required />
        <button id="sign-in" type="submit">Sign in</button>
      </form>
      <section class="sandbox-note" aria-label="Sandbox users">
        <p>
          This is the local sandbox org. Every user's password is
          <code id="sandbox-password">${p.password}</code>.
        </p>
        <ul id="sandbox-users">
          ${p.users.map((u) => html`<li><code>${u.email}</code> ${u.name}</li>`)}
        </ul>
      </section>
    </main>`,
  });
}

/** An error the login page shows instead of redirecting (the client or redirect URI is not trusted). */
export function renderLoginError(orgName: string, error: string, description: string): string {
  return page({
    title: `Sign-in error – ${orgName}`,
    styles: ['/sandbox/assets/sign-in.css'],
    body: html`<main class="sign-in">
      <h1>Sign-in error</h1>
      <p><code id="error">${error}</code></p>
      <p id="error-description">${description}</p>
    </main>`,
  });
}
