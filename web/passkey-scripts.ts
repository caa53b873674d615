import fs from 'node:fs';
import path from 'node:path';

/**
 * The scripts and style the passkey pages load, served by the bot from its own origin (no CDN, no
 * inline script: the pages' Content-Security-Policy allows scripts and styles from 'self' only).
 *
 * - `/assets/webauthn.js`: `@simplewebauthn/browser`'s own UMD bundle (global `SimpleWebAuthnBrowser`),
 *   read from the installed package.
 * - `/assets/passkey.js`: Vouch's few lines that drive it. A button with `data-passkey="register"` or
 *   `data-passkey="authenticate"` and `data-options` / `data-verify` URLs runs the ceremony: it fetches
 *   the options (POST, JSON), calls the browser, posts the result and shows the outcome in the element
 *   named by `data-status`. After "register" it shows `data-done`. After "authenticate" it puts the proof
 *   the verify route returns into the form field named by `data-proof-field` and submits that field's
 *   form: the page's own POST (with its CSRF token and cookie) then hands the proof to the interview.
 *   `data-passkey="approve"` authenticates and reloads the page (an enrollment link approved by a
 *   passkey the employee already has). A `data-refresh` on the body reloads the page every so many
 *   seconds, except while a passkey prompt is open.
 */
export const PASSKEY_SCRIPT = `'use strict';
(function () {
  function post(url, body) {
    return fetch(url, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(body),
    }).then(function (res) {
      return res.json().then(function (json) {
        if (!res.ok) throw new Error(json.error || 'the passkey was not accepted');
        return json;
      });
    });
  }
  var busy = false;
  var refresh = Number(document.body.dataset.refresh || 0);
  if (refresh > 0)
    setInterval(function () {
      if (!busy) location.reload();
    }, refresh * 1000);
  function run(button) {
    var lib = window.SimpleWebAuthnBrowser;
    var status = document.getElementById(button.dataset.status);
    var say = function (text) { if (status) status.textContent = text; };
    if (!lib || !lib.browserSupportsWebAuthn()) {
      button.disabled = true;
      say('This browser cannot use passkeys.');
      return;
    }
    var register = button.dataset.passkey === 'register';
    button.addEventListener('click', function () {
      busy = true;
      button.disabled = true;
      say('Follow your browser\\u2019s prompt\\u2026');
      post(button.dataset.options, {})
        .then(function (options) {
          return register
            ? lib.startRegistration({ optionsJSON: options })
            : lib.startAuthentication({ optionsJSON: options });
        })
        .then(function (response) { return post(button.dataset.verify, response); })
        .then(function (result) {
          busy = false;
          if (register) {
            say(button.dataset.done || 'Your passkey is set up.');
            return;
          }
          if (button.dataset.passkey === 'approve') {
            location.reload();
            return;
          }
          var field = document.getElementsByName(button.dataset.proofField)[0];
          field.value = result.proof;
          say('Verified.');
          field.form.submit();
        })
        .catch(function (err) {
          busy = false;
          button.disabled = false;
          say((err && err.name === 'NotAllowedError' ? 'Cancelled or timed out.' : String(err && err.message)) + ' Try again.');
        });
    });
  }
  var buttons = document.querySelectorAll('[data-passkey]');
  for (var i = 0; i < buttons.length; i++) run(buttons[i]);
})();
`;

/** The enrollment pages' style, as a file (no inline style either). */
export const PAGE_STYLE = `body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem;color:#1d3557}
.pairing{font:700 2.4rem ui-monospace,monospace;letter-spacing:.2em}.error{color:#b00020}.qr svg{width:16rem;height:16rem}
input{font:inherit;margin:0 .5rem}button{font:inherit;padding:.4rem 1rem}button:focus-visible{outline:3px solid #1d3557;outline-offset:2px}
`;

let webauthnBundle: string | undefined;

/** @simplewebauthn/browser's UMD bundle, read once from the installed package. */
export function webauthnBrowserBundle(): string {
  webauthnBundle ??= fs.readFileSync(
    path.join(path.dirname(require.resolve('@simplewebauthn/browser')), '../dist/bundle/index.umd.min.js'),
    'utf8',
  );
  return webauthnBundle;
}
