import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CustomRoute } from '@slack/bolt';
import QRCode from 'qrcode';
import { verifyTotp } from '../store/totp-verification';
import { formatPairingCode, linkEmployee, type LinkView } from '../store/enrollment-links';
import { EnrollmentError, profileOf } from '../store/second-factors';
import type { EnrollmentLinkDoc } from '../store/collections';
import type { BotDeps } from './deps';
import { cookieOf, readForm, sendPage } from './page-http';
import type { EnrollmentNotices } from './enrollment-notices';

/**
 * The page behind a `/vouch enroll` link, served by the bot at /enroll/<token>. Slack only ever
 * carries the link. The page binds itself to the first browser that opens it, shows a pairing code
 * that an operator checks over a trusted channel before approving in Slack or Teams (or takes a code from the
 * employee's existing factor), then shows the new secret once and activates it with a first code.
 */
const COOKIE = 'vouch_enroll';

export function enrollmentRoutes(deps: BotDeps, notices: EnrollmentNotices): CustomRoute[] {
  const serve = async (method: 'GET' | 'POST', req: IncomingMessage, res: ServerResponse) => {
    const token = (req as IncomingMessage & { params?: Record<string, string> }).params?.token ?? '';
    try {
      const form = method === 'POST' ? await readForm(req) : new URLSearchParams();
      await servePage(deps, notices, { method, token, browser: enrollmentCookieOf(req), form }, res);
    } catch (err) {
      deps.logger.error({ err }, 'enrollment page failed');
      send(
        res,
        500,
        page('Something went wrong', '<p>Vouch could not load this page. Try again in a minute.</p>'),
      );
    }
  };
  // Bolt's route handlers return nothing: serve() catches its own errors.
  const handle = (method: 'GET' | 'POST') => (req: IncomingMessage, res: ServerResponse) => {
    void serve(method, req, res);
  };
  return [
    { path: '/enroll/:token', method: ['GET'], handler: handle('GET') },
    { path: '/enroll/:token', method: ['POST'], handler: handle('POST') },
  ];
}

interface PageRequest {
  method: 'GET' | 'POST';
  token: string;
  browser?: string;
  form: URLSearchParams;
}

async function servePage(deps: BotDeps, notices: EnrollmentNotices, req: PageRequest, res: ServerResponse) {
  const now = new Date();
  const bind = req.method === 'POST' && req.form.get('action') === 'start';
  const view = await deps.links.open(req.token, req.browser, now, { bind });
  const cookie =
    'cookie' in view && view.cookie
      ? bindCookie(view.cookie, req.token, deps.publicUrl.startsWith('https:'))
      : undefined;
  switch (view.state) {
    case 'missing':
      return send(res, 404, page('Link not valid', '<p>This enrollment link is not valid.</p>'));
    case 'expired':
      return send(res, 410, page('Link expired', `<p>This link has expired. ${AGAIN}</p>`));
    case 'used':
      return send(res, 410, page('Link already used', `<p>This link was already used. ${AGAIN}</p>`));
    case 'denied':
      return send(res, 403, page('Enrollment refused', '<p>The security team refused this enrollment.</p>'));
    case 'other_browser':
      return send(
        res,
        403,
        page(
          'Opened elsewhere',
          '<p>This link was already opened in another browser. If that was not you, tell your security team now.</p>',
        ),
      );
    case 'unopened':
      // Link previews and scanners only GET: binding takes a deliberate POST from the employee.
      return send(
        res,
        200,
        page(
          'Set up your second factor',
          `<p>Start on the computer you will keep this page open on: the link then works only in this browser.</p>
           <form method="post"><input type="hidden" name="action" value="start"><button>Start</button></form>`,
        ),
      );
    case 'awaiting_approval':
      return awaitingApproval(deps, notices, req, view, res, cookie, now);
    case 'approved':
      // The employee chooses: a passkey (on this page, by script) or an authenticator app (a POST).
      if (req.method === 'POST' && req.form.get('action') === 'totp')
        return showSecret(deps, view.link, view.link.approvedBy ?? 'unknown', res);
      return send(res, 200, choosePage(req.token));
    case 'shown':
      return confirmSecret(deps, notices, req, view.link, res, now);
  }
}

const AGAIN =
  'Type <code>/vouch enroll</code> in Slack, or <code>enroll</code> in your Teams chat with Vouch, for a new one (or ask your security team).';

const PASSKEY_SCRIPTS = ['/assets/webauthn.js', '/assets/passkey.js'];

/**
 * Approved: a passkey (the phishing-resistant choice, made by the page's script with the browser's
 * WebAuthn prompt) or an authenticator app. Choosing the app is a POST, which shows its key once.
 */
function choosePage(token: string): string {
  const base = `/enroll/${encodeURIComponent(token)}/passkey`;
  return page(
    'Choose your second factor',
    `<h2>A passkey (recommended)</h2>
     <p>Your computer or phone keeps a key that only works on this site, unlocked with your fingerprint,
     face or PIN. Nothing to type, and nothing anyone can trick you into reading out.</p>
     <p><button type="button" data-passkey="register" data-options="${base}/options" data-verify="${base}/verify"
       data-status="passkey-status" data-done="Your passkey is set up. You can close this page.">Add a passkey</button></p>
     <p id="passkey-status" role="status" aria-live="polite"></p>
     <h2>An authenticator app</h2>
     <form method="post"><input type="hidden" name="action" value="totp"><button>Use an authenticator app</button></form>`,
    { scripts: PASSKEY_SCRIPTS },
  );
}

async function awaitingApproval(
  deps: BotDeps,
  notices: EnrollmentNotices,
  req: PageRequest,
  view: Extract<LinkView, { state: 'awaiting_approval' }>,
  res: ServerResponse,
  cookie: string | undefined,
  now: Date,
) {
  const { link } = view;
  const employee = linkEmployee(link);
  const hasFactor = await deps.factors.isActive(employee);
  let note = '';
  if (req.method === 'POST' && req.form.get('action') === 'existing' && hasFactor) {
    if (!(await deps.links.claimExistingFactorTry(link, now)))
      note = '<p class="error">No tries with your current code are left; wait for a security operator.</p>';
    else {
      const check = await verifyTotp(
        deps.collections,
        deps.encryptionKey,
        employee,
        (req.form.get('code') ?? '').trim(),
        now,
      );
      if (check.outcome === 'accepted') {
        await deps.links.approveWithExistingFactor(link._id, now);
        return send(res, 200, choosePage(req.token));
      }
      note = `<p class="error">That code was not accepted (${check.outcome}).</p>`;
    }
  }
  if (!link.approvalRequestedAt) await requestApproval(deps, notices, link._id, employee, now);
  const existing = hasFactor
    ? `<h2>Already have Vouch in your authenticator app?</h2>
       <form method="post"><input type="hidden" name="action" value="existing">
       <label>Current 6-digit code <input name="code" inputmode="numeric" autocomplete="one-time-code" maxlength="6" required></label>
       <button>Use my current code</button></form>`
    : '';
  // A passkey the employee already has approves too (the same tries as a code: bot/passkey-routes.ts).
  const hasPasskey = await deps.passkeyStore.hasAny(employee);
  const base = `/enroll/${encodeURIComponent(req.token)}/passkey`;
  const withPasskey = hasPasskey
    ? `<h2>Already have a passkey for Vouch?</h2>
       <p><button type="button" data-passkey="approve" data-options="${base}/approve-options" data-verify="${base}/approve"
         data-status="approve-status">Use my passkey</button></p><p id="approve-status" role="status" aria-live="polite"></p>`
    : '';
  return send(
    res,
    200,
    page(
      'Waiting for the security team',
      `${note}<p>Your pairing code:</p><p class="pairing">${formatPairingCode(view.pairingCode)}</p>
       <p>A security operator will contact you on a trusted channel (a call or a video meeting, not Slack
       or email) and ask for this code. Read it only to them. This page updates by itself once they approve.</p>
       ${existing}${withPasskey}`,
      { refreshSeconds: 5, scripts: hasPasskey ? PASSKEY_SCRIPTS : undefined },
    ),
    cookie,
  );
}

/** Asks the operators to approve; a failure is logged and retried at the page's next refresh. */
async function requestApproval(
  deps: BotDeps,
  notices: EnrollmentNotices,
  linkId: string,
  employee: string,
  now: Date,
) {
  if (await notices.requestApproval(linkId, employee)) return deps.links.noteApprovalRequested(linkId, now);
  deps.logger.warn(
    { employee },
    'enrollment link opened but no operators could be asked to approve it (VOUCH_SECURITY_CHANNEL, VOUCH_TEAMS_OPERATORS_CONVERSATION)',
  );
}

async function showSecret(deps: BotDeps, link: EnrollmentLinkDoc, approvedBy: string, res: ServerResponse) {
  const now = new Date();
  const profile = await profileOf(deps.collections, linkEmployee(link));
  // A factor the employee already has keeps working until the new one is confirmed.
  const { secret, uri, enrolledAt } = await deps.factors.begin(
    profile,
    `/vouch enroll, approved by ${approvedBy}`,
    now,
    { replace: 'when_confirmed' },
  );
  await deps.links.markShown(link._id, now, enrolledAt);
  const svg = await QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
  return send(
    res,
    200,
    page(
      'Add Vouch to your authenticator app',
      `<p>Scan this code with your authenticator app (Google Authenticator, 1Password, Authy…). It is shown only
       once: do not close this page before you have confirmed below.</p>
       <div class="qr">${svg}</div>
       <p>Or type this key: <code>${escapeHtml(secret.replace(/(.{4})/g, '$1 ').trim())}</code></p>
       ${confirmForm('')}`,
    ),
  );
}

async function confirmSecret(
  deps: BotDeps,
  notices: EnrollmentNotices,
  req: PageRequest,
  link: EnrollmentLinkDoc,
  res: ServerResponse,
  now: Date,
) {
  const employee = linkEmployee(link);
  if (req.method !== 'POST' || req.form.get('action') !== 'confirm')
    return send(
      res,
      410,
      page(
        'Already shown',
        `<p>The key was shown on this page once and is never shown again. Enter the code from your app to finish:</p>${confirmForm('')}<p>Lost it? ${AGAIN}</p>`,
      ),
    );
  try {
    await deps.factors.confirm(employee, req.form.get('code') ?? '', 'employee (enrollment page)', now, {
      enrolledAt: link.shownEnrolledAt,
    });
  } catch (err) {
    if (!(err instanceof EnrollmentError)) throw err;
    return send(res, 400, page('Try again', confirmForm(`<p class="error">${escapeHtml(err.message)}</p>`)));
  }
  await deps.links.markDone(link._id, now);
  await notices.enrollmentDone(employee);
  return send(res, 200, page('All set', '<p>Your second factor is active. You can close this page.</p>'));
}

function confirmForm(before: string): string {
  return `${before}<form method="post"><input type="hidden" name="action" value="confirm">
    <label>6-digit code from the app <input name="code" inputmode="numeric" autocomplete="one-time-code" maxlength="6" required></label>
    <button>Confirm</button></form>`;
}

// ---- HTTP plumbing -------------------------------------------------------------------------------

function page(
  title: string,
  body: string,
  opts: { refreshSeconds?: number; scripts?: string[] } = {},
): string {
  // A page with a passkey button reloads by its script, which waits while a passkey prompt is open.
  const scripted = (opts.scripts ?? []).length > 0;
  const refresh =
    opts.refreshSeconds && !scripted ? `<meta http-equiv="refresh" content="${opts.refreshSeconds}">` : '';
  const reload = opts.refreshSeconds && scripted ? ` data-refresh="${opts.refreshSeconds}"` : '';
  const scripts = (opts.scripts ?? []).map((src) => `<script src="${src}" defer></script>`).join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="referrer" content="no-referrer">${refresh}<title>Vouch: ${escapeHtml(title)}</title>
<link rel="stylesheet" href="/assets/vouch.css">${scripts}</head>
<body${reload}><main><h1>${escapeHtml(title)}</h1>${body}</main></body></html>`;
}

function send(res: ServerResponse, status: number, html: string, cookie?: string): void {
  sendPage(res, status, html, { csp: CSP, cookies: cookie ? [cookie] : [] });
}

const CSP =
  "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

function bindCookie(value: string, token: string, secure: boolean): string {
  const path = `/enroll/${encodeURIComponent(token)}`;
  return `${COOKIE}=${value}; Path=${path}; HttpOnly; SameSite=Lax; Max-Age=3600${secure ? '; Secure' : ''}`;
}

/** The enrollment link's browser cookie, if this request carries one. */
export function enrollmentCookieOf(req: IncomingMessage): string | undefined {
  return cookieOf(req, COOKIE);
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}
