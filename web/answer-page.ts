import { createHash } from 'node:crypto';
import { type Language, type MessageKey, t, tn } from '../shared/i18n';
import type { AlertFacts } from './alert-facts';
import { escapeHtml, oneLine } from './html';
import { formatTime } from './interview-mail';

/**
 * The answer page's HTML: the alert's facts and the choices, the second-factor step, and every
 * ending, in the employee's language. No image, nothing from another origin; the one stylesheet is
 * inline and allowed by its hash in the Content-Security-Policy, so nothing else can style the page.
 * Only the passkey step has script, and only the bot's own files (/assets/, web/passkey-scripts.ts);
 * every other view runs none. Forms post back to the page's own address with the CSRF token.
 */
export type AnswerPageView =
  | { kind: 'ask'; facts: AlertFacts; csrf: string }
  | { kind: 'second_factor'; step: SecondFactorStep; csrf: string; error?: CodeError }
  | { kind: 'message'; title: MessageKey; text: MessageKey };

/**
 * How the employee proves it is them after "Yes" (bot/answer-page.ts secondFactorStepFor decides): their
 * passkey (and the code of their authenticator app beside it when they have one too), the code alone,
 * or nothing when they have no factor (the interview then applies the policy's `whenNotEnrolled`).
 * The passkey step names the link's token: its script runs the check at /passkey/<token>/….
 */
export type SecondFactorStep =
  { factor: 'passkey'; token: string; totp: boolean } | { factor: 'totp' } | { factor: 'none' };

export type CodeError =
  | { kind: 'format' }
  | { kind: 'wrong'; attemptsLeft: number }
  | { kind: 'passkey_wrong'; attemptsLeft: number }
  | { kind: 'passkey_malformed' };

/** The form fields the page posts. */
export const FIELDS = {
  csrf: 'csrf',
  action: 'action',
  code: 'code',
  justification: 'justification',
  /** The passkey check's proof, which the page script fills in before it submits the form. */
  proof: 'proof',
} as const;
/** `passkey`: the form the page script submitted with a proof (it names no button, so no action). */
export const ACTIONS = ['yes', 'no', 'coerced', 'code', 'confirm', 'passkey'] as const;
export type AnswerAction = (typeof ACTIONS)[number];

const STYLE = `
:root{color-scheme:light}
*{box-sizing:border-box}
body{margin:0;font:1.0625rem/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1b1b1f;background:#fff}
main{max-width:40rem;margin:0 auto;padding:1.5rem 1rem 3rem}
.brand{font-weight:700;color:#3c3c43;margin:0 0 1rem;font-size:.95rem;letter-spacing:.02em}
h1{font-size:1.5rem;line-height:1.25;margin:0 0 1rem}
h2{font-size:1.125rem;margin:1.5rem 0 .5rem}
.facts{border:1px solid #c7c7cc;border-radius:.5rem;padding:1rem;margin:1rem 0}
.facts h2{margin-top:0;overflow-wrap:anywhere}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem;margin:0}
dt{font-weight:600;color:#3c3c43}
dd{margin:0;overflow-wrap:anywhere}
.desc{white-space:pre-wrap;overflow-wrap:anywhere}
form{margin:0}
.choices{display:flex;flex-wrap:wrap;gap:.75rem;margin:1rem 0}
.choices form{flex:1 1 12rem}
button{font:inherit;font-weight:600;width:100%;min-height:3rem;padding:.75rem 1rem;border-radius:.5rem;border:2px solid transparent;cursor:pointer}
.yes{background:#0b57d0;color:#fff}
.no{background:#b3261e;color:#fff}
.coerced{background:#fff;color:#1b1b1f;border-color:#1b1b1f}
.aside{margin-top:2rem;padding-top:1rem;border-top:1px solid #c7c7cc}
button:hover{filter:brightness(.92)}
:focus-visible{outline:3px solid #1b1b1f;outline-offset:3px}
input,textarea{font:inherit;width:100%;padding:.625rem .75rem;border:2px solid #6e6e73;border-radius:.5rem;color:#1b1b1f;background:#fff}
input{max-width:12rem;letter-spacing:.2em;font-variant-numeric:tabular-nums}
label{display:block;font-weight:600;margin:1rem 0 .25rem}
.hint{color:#3c3c43;font-size:.95rem}
.error{color:#b3261e;font-weight:600}
.actions{margin-top:1.25rem;max-width:20rem}
.status{min-height:1.5rem}
`;

/** The stylesheet's hash, which the Content-Security-Policy names: only this exact style applies. */
const STYLE_HASH = `'sha256-${createHash('sha256').update(STYLE).digest('base64')}'`;

/** Nothing but this page's own stylesheet and forms to its own address; no frames, no base, no referrer. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  `style-src ${STYLE_HASH}`,
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

/** The passkey step: also the bot's own scripts (no inline script) and requests to its passkey routes. */
export const PASSKEY_CONTENT_SECURITY_POLICY = `${CONTENT_SECURITY_POLICY}; script-src 'self'; connect-src 'self'`;

export function contentSecurityPolicyFor(view: AnswerPageView): string {
  return view.kind === 'second_factor' && view.step.factor === 'passkey'
    ? PASSKEY_CONTENT_SECURITY_POLICY
    : CONTENT_SECURITY_POLICY;
}

export function answerPageHtml(view: AnswerPageView, lang: Language): string {
  switch (view.kind) {
    case 'ask':
      return page(lang, t(lang, 'page.askTitle'), askBody(view.facts, view.csrf, lang));
    case 'second_factor':
      return secondFactorPage(view, lang);
    case 'message':
      return page(lang, t(lang, view.title), `<p>${escapeHtml(t(lang, view.text))}</p>`);
  }
}

function askBody(facts: AlertFacts, csrf: string, lang: Language): string {
  const rows: [string, string][] = [
    [t(lang, 'page.when'), formatTime(facts.occurredAt)],
    [t(lang, 'page.source'), oneLine(facts.source)],
    [t(lang, 'page.severity'), severity(facts.severity, lang)],
    ...facts.details.map(([k, v]): [string, string] => [oneLine(k, 100), oneLine(v, 300)]),
  ];
  const list = rows.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`).join('');
  return `<p>${escapeHtml(t(lang, 'page.askLead'))}</p>
<section class="facts" aria-labelledby="alert-title">
<h2 id="alert-title">${escapeHtml(oneLine(facts.title, 200))}</h2>
${facts.description ? `<p class="desc">${escapeHtml(facts.description.slice(0, 1000))}</p>` : ''}
<dl>${list}</dl>
</section>
<h2>${escapeHtml(t(lang, 'page.choices'))}</h2>
<div class="choices">
${choice('yes', t(lang, 'dm.yes'), csrf)}
${choice('no', t(lang, 'dm.no'), csrf, t(lang, 'dm.noConfirmText'))}
</div>
<div class="choices">
${choice('coerced', t(lang, 'dm.coerced'), csrf, t(lang, 'dm.coercedConfirmText'))}
</div>
<p class="hint">${escapeHtml(t(lang, 'page.bindNote'))}</p>`;
}

function choice(action: 'yes' | 'no' | 'coerced', label: string, csrf: string, hint?: string): string {
  const hintId = `${action}-hint`;
  return `<form method="post">${hidden(csrf)}<button class="${action}" name="${FIELDS.action}" value="${action}"${hint ? ` aria-describedby="${hintId}"` : ''}>${escapeHtml(label)}</button>${hint ? `<p class="hint" id="${hintId}">${escapeHtml(hint)}</p>` : ''}</form>`;
}

function secondFactorPage(view: Extract<AnswerPageView, { kind: 'second_factor' }>, lang: Language): string {
  if (view.step.factor === 'none')
    return page(
      lang,
      t(lang, 'page.noFactorTitle'),
      `<p>${escapeHtml(t(lang, 'page.noFactorLead'))}</p>
<form method="post">${hidden(view.csrf, 'confirm')}${justificationField(lang)}
<div class="actions"><button class="yes">${escapeHtml(t(lang, 'page.confirm'))}</button></div></form>
${coercedNow(view.csrf, lang)}`,
    );
  if (view.step.factor === 'passkey') return passkeyPage(view, view.step, lang);
  const error = view.error ? codeErrorText(view.error, lang) : undefined;
  return page(
    lang,
    t(lang, 'page.codeTitle'),
    `<p id="code-lead">${escapeHtml(t(lang, 'page.codeLead'))}</p>
<form method="post">${hidden(view.csrf, 'code')}
<label for="code">${escapeHtml(t(lang, 'page.codeLabel'))}</label>
${error ? `<p class="error" id="code-error">${escapeHtml(error)}</p>` : ''}
<input id="code" name="${FIELDS.code}" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" maxlength="6" required autofocus aria-describedby="${error ? 'code-error ' : ''}code-lead"${error ? ' aria-invalid="true"' : ''}>
${justificationField(lang)}
<div class="actions"><button class="yes">${escapeHtml(t(lang, 'page.verify'))}</button></div></form>
${coercedNow(view.csrf, lang)}`,
  );
}

/**
 * The passkey step: one form, whose proof field the page script fills in after the check before it
 * submits the form; with a TOTP factor too, the code field and its button are in the same form (a
 * code works without script). The justification is typed once for either.
 */
function passkeyPage(
  view: Extract<AnswerPageView, { kind: 'second_factor' }>,
  step: Extract<SecondFactorStep, { factor: 'passkey' }>,
  lang: Language,
): string {
  const error = view.error ? codeErrorText(view.error, lang) : undefined;
  const passkeyError = error && view.error?.kind.startsWith('passkey_');
  const codeError = error && !passkeyError;
  const base = `/passkey/${encodeURIComponent(step.token)}`;
  const code = step.totp
    ? `<h2>${escapeHtml(t(lang, 'page.passkeyOrCode'))}</h2>
<p id="code-lead">${escapeHtml(t(lang, 'page.codeLead'))}</p>
<label for="code">${escapeHtml(t(lang, 'page.codeLabel'))}</label>
${codeError ? `<p class="error" id="code-error">${escapeHtml(error)}</p>` : ''}
<input id="code" name="${FIELDS.code}" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" maxlength="6" aria-describedby="${codeError ? 'code-error ' : ''}code-lead"${codeError ? ' aria-invalid="true"' : ''}>
<div class="actions"><button class="yes" name="${FIELDS.action}" value="code">${escapeHtml(t(lang, 'page.verify'))}</button></div>`
    : '';
  return page(
    lang,
    t(lang, 'page.codeTitle'),
    `<form method="post">${hidden(view.csrf)}<input type="hidden" name="${FIELDS.proof}" value="">
<p id="passkey-lead">${escapeHtml(t(lang, 'page.passkeyLead'))}</p>
${passkeyError ? `<p class="error" id="passkey-error">${escapeHtml(error)}</p>` : ''}
<div class="actions"><button type="button" class="yes" id="use-passkey" autofocus data-passkey="authenticate" data-options="${escapeHtml(`${base}/options`)}" data-verify="${escapeHtml(`${base}/verify`)}" data-status="passkey-status" data-proof-field="${FIELDS.proof}" aria-describedby="${passkeyError ? 'passkey-error ' : ''}passkey-lead">${escapeHtml(t(lang, 'page.passkeyButton'))}</button></div>
<p class="status" id="passkey-status" role="status"></p>
<noscript><p class="error">${escapeHtml(t(lang, 'page.passkeyNoScript'))}</p></noscript>
${justificationField(lang)}
${code}
</form>
${coercedNow(view.csrf, lang)}`,
    ['/assets/webauthn.js', '/assets/passkey.js'],
  );
}

/** As in Slack's modal: someone may be coaching the employee through "Yes" right now. */
function coercedNow(csrf: string, lang: Language): string {
  return `<div class="choices aside">${choice('coerced', t(lang, 'secondFactor.coerced'), csrf, t(lang, 'dm.coercedConfirmText'))}</div>`;
}

function justificationField(lang: Language): string {
  return `<label for="justification">${escapeHtml(t(lang, 'page.justificationLabel'))}</label>
<textarea id="justification" name="${FIELDS.justification}" rows="3" maxlength="1000"></textarea>`;
}

function codeErrorText(error: CodeError, lang: Language): string {
  if (error.kind === 'format') return t(lang, 'page.codeFormat');
  if (error.kind === 'passkey_malformed') return t(lang, 'page.passkeyMalformed');
  return tn(lang, error.kind === 'wrong' ? 'page.codeWrong' : 'page.passkeyWrong', error.attemptsLeft);
}

function severity(value: string, lang: Language): string {
  const key = `severity.${value}`;
  return ['low', 'medium', 'high', 'critical'].includes(value) ? t(lang, key as MessageKey) : value;
}

/** The CSRF token, and the action when the form's button does not carry it. */
function hidden(csrf: string, action?: AnswerAction): string {
  const csrfField = `<input type="hidden" name="${FIELDS.csrf}" value="${escapeHtml(csrf)}">`;
  return action ? `${csrfField}<input type="hidden" name="${FIELDS.action}" value="${action}">` : csrfField;
}

function page(lang: Language, title: string, body: string, scripts: string[] = []): string {
  return `<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="robots" content="noindex,nofollow">
<title>${escapeHtml(title)} · Vouch</title>
<style>${STYLE}</style>
${scripts.map((src) => `<script src="${src}" defer></script>`).join('\n')}
</head>
<body>
<main>
<p class="brand">Vouch</p>
<h1>${escapeHtml(title)}</h1>
${body}
</main>
</body>
</html>`;
}
