/** Style of the org's sign-in and sign-in error pages (served as a file: the pages' CSP has no inline style). */
export const SIGN_IN_CSS = `
:root { color-scheme: light; font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
body { margin: 0; background: #f3f5f8; color: #1d2733; }
.sign-in { max-width: 24rem; margin: 4rem auto; padding: 2rem; background: #fff; border-radius: 8px;
  box-shadow: 0 1px 4px rgb(0 0 0 / 0.15); }
h1 { font-size: 1.4rem; margin: 0 0 0.25rem; }
.app { margin: 0 0 1.5rem; color: #4a5664; }
form { display: grid; gap: 0.5rem; }
label { font-weight: 600; font-size: 0.9rem; }
input { font: inherit; padding: 0.55rem 0.6rem; border: 1px solid #8a96a3; border-radius: 4px; }
input:focus-visible, button:focus-visible { outline: 3px solid #1a5fb4; outline-offset: 2px; }
button { margin-top: 0.75rem; font: inherit; font-weight: 600; padding: 0.6rem; border: 0; border-radius: 4px;
  background: #1a5fb4; color: #fff; cursor: pointer; }
#sign-in-error { padding: 0.6rem; border-radius: 4px; background: #fde8e8; color: #8a1c1c; }
.sandbox-note { margin-top: 1.5rem; padding-top: 1rem; border-top: 1px solid #d5dbe1; font-size: 0.85rem; color: #4a5664; }
.sandbox-note ul { padding-left: 1.2rem; }
code { background: #eef1f4; padding: 0 0.2rem; border-radius: 3px; }
`;
