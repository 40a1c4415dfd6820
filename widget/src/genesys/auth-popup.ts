import { AUTH_MESSAGE_TYPE, AUTH_STORAGE_KEY, type AuthMessage } from './sign-in.js';

/**
 * auth-popup.html's script: the login service redirected the popup here with `?code&state` (or
 * `?error`). Hand the query to the widget that opened the popup, then close. Only this origin (the
 * widget's) can read the answer, and the code is useless without the widget's PKCE verifier.
 */
const message: AuthMessage = { type: AUTH_MESSAGE_TYPE, search: location.search };
let delivered = false;
if (window.opener && window.opener !== window) {
  try {
    (window.opener as Window).postMessage(message, location.origin);
    delivered = true;
  } catch {
    // The opener is gone or of another origin: the storage answer below is left.
  }
}
try {
  // For a browser that severed the opener (cross-origin-opener policies): the widget listens to it.
  // The widget removes it once read (and before each sign-in).
  localStorage.setItem(AUTH_STORAGE_KEY, JSON.stringify(message));
  delivered = true;
} catch {
  // Storage blocked.
}
const status = document.getElementById('status');
if (status) {
  status.textContent = delivered
    ? 'Signed in. This window closes by itself.'
    : 'Sign-in finished, but the widget could not be told. Close this window and select Sign in again.';
}
if (delivered) setTimeout(() => window.close(), 50);
