import { createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CustomRoute } from '@slack/bolt';
import { seal } from '../lib/secret-box';
import { type Language, languageOfLocale } from '../shared/i18n';
import type { InterviewPhase } from '../shared/messages';
import { PLAIN_CODE_PATTERN, sealedCodeContext, withoutCodes } from '../shared/sealed-code';
import { answerLinkEmployee } from '../store/answer-links';
import type { AlertDoc, AnswerLinkDoc } from '../store/collections';
import { PROOF_PREFIX } from '../store/passkey-proofs';
import { passkeyStore } from '../store/passkeys';
import { alertFacts } from '../web/alert-facts';
import { oneLine } from '../web/html';
import {
  ACTIONS,
  type AnswerAction,
  type AnswerPageView,
  type CodeError,
  CONTENT_SECURITY_POLICY,
  FIELDS,
  contentSecurityPolicyFor,
  type SecondFactorStep,
  answerPageHtml,
} from '../web/answer-page';
import type { BotDeps } from './deps';
import { InterviewNotFoundError, InterviewRefusedError } from './interviews';
import { languageOfUser } from './language';
import { cookieOf, readForm, sendPage } from './page-http';

/**
 * The answer page behind the email channel's one-time links, at /answer/<token> on the bot's server.
 *
 * A GET only reads: mail scanners and link previews open links before people do, so showing the
 * alert and the choices changes nothing. Answers are POSTs carrying a CSRF token (an HMAC of the link
 * and a cookie of this browser). The first answer binds the interview's links to the browser that
 * gave it (an HttpOnly, SameSite=Strict cookie; only its hash is stored): another browser holding a
 * link can read the page but not answer. "No" sends the workflow the same signal as Slack's "No";
 * "Yes" asks for the second factor on the page and sends the answer with the sealed code, as
 * Slack's modal does, so the same replay and lockout rules apply. Every answer carries `via: 'web'`,
 * which the record keeps.
 */
const BROWSER_COOKIE = 'vouch_answer';
const CSRF_COOKIE = 'vouch_answer_csrf';
/** The binding outlives any interview (deadlines are hours to days): a month. */
const BROWSER_COOKIE_SECONDS = 30 * 86_400;

/** Recorded phases in which the question is still open (the record may lag behind the workflow). */
const ASKING_PHASES: readonly InterviewPhase[] = ['starting', 'awaiting_response'];

interface PageRequest {
  method: 'GET' | 'POST';
  token: string;
  form: URLSearchParams;
  browserId?: string;
  csrfCookie?: string;
  acceptLanguage?: string;
  userAgent?: string;
}

interface PageResponse {
  status: number;
  view: AnswerPageView;
  lang: Language;
  cookies?: string[];
}

export function answerRoutes(deps: BotDeps): CustomRoute[] {
  const csrfKey = deps.encryptionKey
    ? Buffer.from(hkdfSync('sha256', deps.encryptionKey, '', 'vouch answer-page csrf', 32))
    : // Without the key no code can be sealed either; a per-process key still guards "No".
      randomBytes(32);
  const secure = deps.publicUrl.startsWith('https:');
  const serve = async (method: 'GET' | 'POST', req: IncomingMessage, res: ServerResponse) => {
    const token = (req as IncomingMessage & { params?: Record<string, string> }).params?.token ?? '';
    try {
      const form = method === 'POST' ? await readForm(req) : new URLSearchParams();
      const out = await answerPage(
        deps,
        csrfKey,
        {
          method,
          token,
          form,
          browserId: cookieOf(req, BROWSER_COOKIE),
          csrfCookie: cookieOf(req, CSRF_COOKIE),
          acceptLanguage: req.headers['accept-language'],
          userAgent: req.headers['user-agent'],
        },
        secure,
      );
      sendPage(res, out.status, answerPageHtml(out.view, out.lang), {
        csp: contentSecurityPolicyFor(out.view),
        cookies: out.cookies,
      });
    } catch (err) {
      deps.logger.error({ err }, 'answer page failed');
      sendPage(
        res,
        500,
        answerPageHtml({ kind: 'message', title: 'page.laterTitle', text: 'reply.notSaved' }, 'en'),
        { csp: CONTENT_SECURITY_POLICY },
      );
    }
  };
  // Bolt's route handlers return nothing: serve() catches its own errors.
  const handle = (method: 'GET' | 'POST') => (req: IncomingMessage, res: ServerResponse) => {
    void serve(method, req, res);
  };
  return [
    { path: '/answer/:token', method: ['GET'], handler: handle('GET') },
    { path: '/answer/:token', method: ['POST'], handler: handle('POST') },
  ];
}

/** A link that changes nothing any more, and why. */
const GONE: Record<'missing' | 'expired' | 'closed', { status: number; view: AnswerPageView }> = {
  missing: { status: 404, view: { kind: 'message', title: 'page.missingTitle', text: 'page.missing' } },
  expired: { status: 410, view: { kind: 'message', title: 'page.expiredTitle', text: 'page.expired' } },
  closed: { status: 410, view: { kind: 'message', title: 'page.closedTitle', text: 'page.closed' } },
};

async function answerPage(
  deps: BotDeps,
  csrfKey: Buffer,
  req: PageRequest,
  secure: boolean,
): Promise<PageResponse> {
  const now = new Date();
  const guessLang = languageOfLocale(req.acceptLanguage?.split(',')[0]);
  const message = (status: number, view: AnswerPageView, lang = guessLang) => ({ status, view, lang });
  const view = await deps.answerLinks.view(req.token, now);
  if (view.state !== 'open') return message(GONE[view.state].status, GONE[view.state].view);
  const { link } = view;
  const alert = await deps.alerts.answerPageView(link.alertId);
  if (!alert) return message(GONE.missing.status, GONE.missing.view);
  const lang = alert.employeeSlackId ? await languageOfUser(deps, alert.employeeSlackId) : guessLang;
  // The links close with the outcome; the record may say so a moment before.
  if (alert.outcome !== null) return message(GONE.closed.status, GONE.closed.view, lang);

  // A form on this page carries a token tied to this link and this browser's CSRF cookie.
  const csrfCookie =
    req.csrfCookie && /^[A-Za-z0-9_-]{43}$/.test(req.csrfCookie) ? req.csrfCookie : undefined;
  const csrfValue = csrfCookie ?? randomBytes(32).toString('base64url');
  const csrf = csrfToken(csrfKey, link._id, csrfValue);
  const cookies = csrfCookie ? [] : [cookie(CSRF_COOKIE, csrfValue, { secure, maxAge: 86_400 })];
  const respond = (status: number, v: AnswerPageView): PageResponse => ({ status, view: v, lang, cookies });

  const page: PageContext = { link, token: req.token, alert, csrf };
  if (req.method === 'GET') return respond(200, await currentStep(deps, page));

  // ---- POST: an answer. Nothing changes unless the form is this page's and this browser may answer.
  // The page script submits the passkey step's form without a button, so with a proof and no action.
  const action = (req.form.get(FIELDS.action) ??
    (req.form.get(FIELDS.proof) ? 'passkey' : null)) as AnswerAction | null;
  const audit = (key: string, entry: Parameters<BotDeps['audit']>[2]) =>
    deps.audit(link.workflowId, key, entry).catch((err: unknown) => {
      deps.logger.error({ err, workflowId: link.workflowId }, 'answer page: audit entry not written');
    });
  const employee = answerLinkEmployee(link, alert.employeeSlackId);
  const actor = alert.employeeSlackId ?? employee;
  if (!csrfCookie || !sameToken(req.form.get(FIELDS.csrf), csrf) || !ACTIONS.includes(action!)) {
    await audit(`answer-form:${link._id}:${minute(now)}`, {
      actor,
      kind: 'answer_link_refused',
      reason: 'bad_form',
    });
    return respond(403, { kind: 'message', title: 'page.badFormTitle', text: 'page.badForm' });
  }
  const binding = await deps.answerLinks.boundBrowser(link.workflowId, req.browserId);
  const browserId =
    req.browserId && /^[A-Za-z0-9_-]{43}$/.test(req.browserId)
      ? req.browserId
      : randomBytes(32).toString('base64url');
  const bound =
    binding === 'this_browser' ||
    (binding === 'unbound' && (await deps.answerLinks.bind(link.workflowId, browserId, now)));
  if (!bound) {
    await audit(`answer-browser:${link._id}:${minute(now)}`, {
      actor,
      kind: 'answer_link_refused',
      reason: 'other_browser',
    });
    return respond(403, { kind: 'message', title: 'page.otherBrowserTitle', text: 'page.otherBrowser' });
  }
  if (binding === 'unbound') {
    cookies.push(cookie(BROWSER_COOKIE, browserId, { secure, maxAge: BROWSER_COOKIE_SECONDS }));
    await audit(`answer-bound:${link.workflowId}`, {
      actor,
      kind: 'answer_link_bound',
      userAgent: oneLine(req.userAgent ?? 'unknown', 200),
    });
  }

  const webAnswer = webAnswerOf(link, alert);
  try {
    switch (action) {
      case 'no':
        if (!ASKING_PHASES.includes(alert.phase)) return respond(409, await currentStep(deps, page));
        await deps.interviews.respond(link.workflowId, {
          ...webAnswer,
          responseId: `web:deny:${link._id}`,
          answer: 'denied',
        });
        return respond(200, { kind: 'message', title: 'page.deniedTitle', text: 'page.denied' });
      case 'coerced':
        if (!ASKING_PHASES.includes(alert.phase) && alert.phase !== 'awaiting_second_factor')
          return respond(409, await currentStep(deps, page));
        await deps.interviews.respond(link.workflowId, {
          ...webAnswer,
          responseId: `web:coerced:${link._id}`,
          answer: 'coerced',
        });
        return respond(200, { kind: 'message', title: 'coercion.modalTitle', text: 'page.coerced' });
      case 'yes':
        if (!ASKING_PHASES.includes(alert.phase) && alert.phase !== 'awaiting_second_factor')
          return respond(409, await currentStep(deps, page));
        return respond(200, { kind: 'second_factor', step: await secondFactorStepFor(deps, page), csrf });
      case 'confirm':
        await deps.interviews.respond(link.workflowId, {
          ...webAnswer,
          responseId: `web:confirm:${link._id}`,
          answer: 'confirmed',
          ...justification(req.form),
        });
        return respond(200, { kind: 'message', title: 'page.recordedTitle', text: 'page.recorded' });
      case 'code':
      case 'passkey':
        return respond(...(await submitSecondFactor(deps, page, action, req.form)));
    }
  } catch (err) {
    if (err instanceof InterviewRefusedError || err instanceof InterviewNotFoundError)
      return respond(409, await currentStep(deps, page));
    throw err;
  }
  return respond(400, { kind: 'message', title: 'page.badFormTitle', text: 'page.badForm' });
}

/** What the page's steps need to know: the link, its token, the interview as recorded, the form's CSRF token. */
interface PageContext {
  link: AnswerLinkDoc;
  token: string;
  alert: PageAlert;
  csrf: string;
}

/** The answer as the bot signals it: from the page, and from which kind of link. */
function webAnswerOf(link: AnswerLinkDoc, alert: PageAlert) {
  return {
    slackUserId: alert.employeeSlackId ?? '',
    via: 'web' as const,
    ...(link.source ? { link: link.source } : {}),
  };
}

/** A passkey proof as /passkey/<token>/verify gives it (store/passkey-proofs.ts): the prefix, 22 bytes. */
const PROOF_PATTERN = new RegExp(`^${PROOF_PREFIX}[A-Za-z0-9_-]{29,30}$`);

/**
 * "Yes" with a code or a passkey's proof: the answer, then the code or proof sealed for this interview
 * and the employee's key, as Slack's modal sends a code; the workflow's attempts count both alike.
 */
async function submitSecondFactor(
  deps: BotDeps,
  { link, token, alert, csrf }: PageContext,
  action: 'code' | 'passkey',
  form: URLSearchParams,
): Promise<[number, AnswerPageView]> {
  const step = await secondFactorStepFor(deps, { link, token, alert });
  const again = (error: CodeError): [number, AnswerPageView] => [
    400,
    { kind: 'second_factor', step, csrf, error },
  ];
  const secret =
    action === 'code'
      ? (form.get(FIELDS.code) ?? '').replace(/\s+/g, '')
      : (form.get(FIELDS.proof) ?? '').trim();
  if (!(action === 'code' ? PLAIN_CODE_PATTERN : PROOF_PATTERN).test(secret))
    return again({ kind: action === 'code' ? 'format' : 'passkey_malformed' });
  if (!deps.encryptionKey) {
    deps.logger.error('VOUCH_ENCRYPTION_KEY is not set: the bot cannot seal second-factor codes');
    return [503, { kind: 'message', title: 'page.laterTitle', text: 'reply.notSaved' }];
  }
  const employee = answerLinkEmployee(link, alert.employeeSlackId);
  await deps.interviews.respond(link.workflowId, {
    ...webAnswerOf(link, alert),
    responseId: `web:confirm:${link._id}`, // one "yes" per link, however often a code is tried
    answer: 'confirmed',
    ...justification(form),
  });
  const result = await deps.interviews.submitCode(
    link.workflowId,
    employee,
    seal(deps.encryptionKey, secret, sealedCodeContext(link.workflowId, employee)),
    'web',
  );
  if (result.accepted) return [200, { kind: 'message', title: 'page.verifiedTitle', text: 'page.verified' }];
  if (result.attemptsLeft > 0)
    return again({
      kind: action === 'code' ? 'wrong' : 'passkey_wrong',
      attemptsLeft: result.attemptsLeft,
    });
  return [200, { kind: 'message', title: 'page.notVerifiedTitle', text: 'page.notVerified' }];
}

type PageAlert = Pick<AlertDoc, 'input' | 'employeeSlackId' | 'phase' | 'outcome'>;

/** What the page shows for where the interview stands, as last recorded. */
async function currentStep(deps: BotDeps, page: PageContext): Promise<AnswerPageView> {
  const { csrf } = page;
  const fresh = await deps.alerts.answerPageView(page.alert.input.id);
  const now = fresh ?? page.alert;
  if (now.outcome !== null) return GONE.closed.view;
  // A chat's passkey link (Slack's modal, Teams' dialog): the employee saw the alert and pressed "Yes"
  // there, so the factor comes next.
  if (ASKING_PHASES.includes(now.phase) && !page.link.source)
    return { kind: 'ask', facts: alertFacts(now.input), csrf };
  if (ASKING_PHASES.includes(now.phase) || now.phase === 'awaiting_second_factor')
    return { kind: 'second_factor', step: await secondFactorStepFor(deps, { ...page, alert: now }), csrf };
  if (now.phase === 'awaiting_manager')
    return { kind: 'message', title: 'page.answeredTitle', text: 'reply.timePassed' };
  return { kind: 'message', title: 'page.answeredTitle', text: 'reply.alreadyAnswered' };
}

/**
 * Which second factor the "Yes" step asks for, by the employee's key (their Slack id, else
 * `email:<address>`): their passkey when they have one (with their TOTP code beside it if they have that
 * too), else the TOTP code when they have an active factor, else none, and the interview applies the
 * policy's `whenNotEnrolled`.
 */
export async function secondFactorStepFor(
  deps: Pick<BotDeps, 'factors' | 'collections'>,
  { link, token, alert }: Pick<PageContext, 'link' | 'token'> & { alert: Pick<PageAlert, 'employeeSlackId'> },
): Promise<SecondFactorStep> {
  const employee = answerLinkEmployee(link, alert.employeeSlackId);
  const totp = await deps.factors.isActive(employee);
  if (await passkeyStore(deps.collections).hasAny(employee)) return { factor: 'passkey', token, totp };
  return totp ? { factor: 'totp' } : { factor: 'none' };
}

function justification(form: URLSearchParams): { justification?: string } {
  const text = withoutCodes(form.get(FIELDS.justification) ?? '')
    .slice(0, 1000)
    .trim();
  return text ? { justification: text } : {};
}

/** Refusals are recorded once a minute per link: whoever holds a link cannot flood the audit trail. */
function minute(now: Date): number {
  return Math.floor(now.getTime() / 60_000);
}

function csrfToken(key: Buffer, linkId: string, cookieValue: string): string {
  return createHmac('sha256', key).update(`${linkId}:${cookieValue}`).digest('base64url');
}

function sameToken(given: string | null, expected: string): boolean {
  const a = Buffer.from(given ?? '');
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** HttpOnly and SameSite=Strict: no script reads it and no other site's request carries it. */
function cookie(name: string, value: string, opts: { secure: boolean; maxAge: number }): string {
  return `${name}=${value}; Path=/answer/; HttpOnly; SameSite=Strict; Max-Age=${opts.maxAge}${opts.secure ? '; Secure' : ''}`;
}
