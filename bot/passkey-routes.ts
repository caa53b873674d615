import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CustomRoute } from '@slack/bolt';
import { hashToken } from '../lib/token-hash';
import { answerLinkEmployee, answerLinks } from '../store/answer-links';
import { linkEmployee } from '../store/enrollment-links';
import { profileOf } from '../store/second-factors';
import type { AnswerLinkDoc } from '../store/collections';
import { PAGE_STYLE, PASSKEY_SCRIPT, webauthnBrowserBundle } from '../web/passkey-scripts';
import type { BotDeps } from './deps';
import { enrollmentCookieOf } from './enrollment-page';
import type { EnrollmentNotices } from './enrollment-notices';
import { readBody } from './page-http';

/**
 * The passkey routes of the bot's HTTP server (JSON in, JSON out; `content-type: application/json` is
 * required, which a cross-site form cannot send, and the enrollment cookie is SameSite):
 *
 * - POST /enroll/<token>/passkey/options and /verify: registration, for the browser the enrollment link
 *   is bound to, once the link is approved (the same trust rules as a TOTP enrollment).
 * - POST /enroll/<token>/passkey/approve-options and /approve: a passkey the employee already has
 *   approves their link (as a TOTP code can), with the same tries (3 per link, 5 per employee per quarter).
 * - POST /passkey/<answer token>/options and /verify: authentication for the employee of an open answer
 *   link. /verify answers `{ verified: true, proof }`: the answer page submits the proof
 *   (store/passkey-proofs.ts) to the interview in place of a TOTP code, through its own POST (with its
 *   CSRF token and browser binding); these routes decide nothing about the interview.
 * - GET /assets/webauthn.js, /assets/passkey.js, /assets/vouch.css: the pages' script and style.
 */
const MAX_JSON_BYTES = 16 * 1024;

export function passkeyRoutes(deps: BotDeps, notices: EnrollmentNotices): CustomRoute[] {
  const json =
    (serve: (req: IncomingMessage, token: string, body: unknown) => Promise<[number, object]>) =>
    (req: IncomingMessage, res: ServerResponse) => {
      const token = (req as IncomingMessage & { params?: Record<string, string> }).params?.token ?? '';
      void (async () => {
        try {
          if (!String(req.headers['content-type'] ?? '').startsWith('application/json'))
            return sendJson(res, 415, { error: 'send application/json' });
          const [status, body] = await serve(req, token, await readJson(req));
          sendJson(res, status, body);
        } catch (err) {
          if (err instanceof BadRequest) return sendJson(res, 400, { error: err.message });
          deps.logger.error({ err }, 'passkey route failed');
          sendJson(res, 500, { error: 'Vouch could not check the passkey. Try again in a minute.' });
        }
      })();
    };
  return [
    {
      path: '/enroll/:token/passkey/options',
      method: ['POST'],
      handler: json((r, t) => enrollOptions(deps, r, t)),
    },
    {
      path: '/enroll/:token/passkey/verify',
      method: ['POST'],
      handler: json((r, t, body) => enrollVerify(deps, notices, r, t, body)),
    },
    {
      path: '/enroll/:token/passkey/approve-options',
      method: ['POST'],
      handler: json((r, t) => approveOptions(deps, r, t)),
    },
    {
      path: '/enroll/:token/passkey/approve',
      method: ['POST'],
      handler: json((r, t, body) => approveWithPasskey(deps, r, t, body)),
    },
    { path: '/passkey/:token/options', method: ['POST'], handler: json((_r, t) => answerOptions(deps, t)) },
    {
      path: '/passkey/:token/verify',
      method: ['POST'],
      handler: json((_r, t, body) => answerVerify(deps, t, body)),
    },
    asset('/assets/webauthn.js', 'text/javascript', webauthnBrowserBundle),
    asset('/assets/passkey.js', 'text/javascript', () => PASSKEY_SCRIPT),
    asset('/assets/vouch.css', 'text/css', () => PAGE_STYLE),
  ];
}

/** The approved enrollment link of this browser, or the refusal to send. */
async function approvedLink(deps: BotDeps, req: IncomingMessage, token: string) {
  const view = await deps.links.open(token, enrollmentCookieOf(req), new Date());
  if (view.state === 'approved' || view.state === 'shown') return { link: view.link };
  return {
    refusal: [403, { error: 'This enrollment link is not approved for this browser.' }] as [number, object],
  };
}

async function enrollOptions(deps: BotDeps, req: IncomingMessage, token: string): Promise<[number, object]> {
  const { link, refusal } = await approvedLink(deps, req, token);
  if (!link) return refusal;
  const employee = linkEmployee(link);
  const profile = await profileOf(deps.collections, employee);
  const label = profile.email ?? profile.name ?? employee;
  return [200, await deps.passkeys.registrationOptions({ key: employee, label }, link._id, new Date())];
}

async function enrollVerify(
  deps: BotDeps,
  notices: EnrollmentNotices,
  req: IncomingMessage,
  token: string,
  body: unknown,
): Promise<[number, object]> {
  const { link, refusal } = await approvedLink(deps, req, token);
  if (!link) return refusal;
  const employee = linkEmployee(link);
  const now = new Date();
  const result = await deps.passkeys.verifyRegistration(
    employee,
    link._id,
    asCredential(body) as never,
    `enrollment page, approved by ${link.approvedBy ?? 'unknown'}`,
    now,
  );
  if (result.outcome !== 'added') return [400, { error: refusalText(result.outcome) }];
  await deps.links.markDone(link._id, now);
  await notices.enrollmentDone(employee, 'Passkey enrollment');
  return [200, { added: true }];
}

/** The link of this browser while it waits for approval, or the refusal to send. */
async function waitingLink(deps: BotDeps, req: IncomingMessage, token: string) {
  const view = await deps.links.open(token, enrollmentCookieOf(req), new Date());
  if (view.state === 'awaiting_approval') return { link: view.link };
  return {
    refusal: [403, { error: 'This enrollment link is not waiting for approval in this browser.' }] as [
      number,
      object,
    ],
  };
}

async function approveOptions(deps: BotDeps, req: IncomingMessage, token: string): Promise<[number, object]> {
  const { link, refusal } = await waitingLink(deps, req, token);
  if (!link) return refusal;
  const options = await deps.passkeys.authenticationOptions(
    linkEmployee(link),
    `approve:${link._id}`,
    new Date(),
  );
  return options ? [200, options] : [404, { error: 'You have no passkey yet.' }];
}

async function approveWithPasskey(
  deps: BotDeps,
  req: IncomingMessage,
  token: string,
  body: unknown,
): Promise<[number, object]> {
  const { link, refusal } = await waitingLink(deps, req, token);
  if (!link) return refusal;
  const now = new Date();
  const credential = asCredential(body);
  if (!(await deps.links.claimExistingFactorTry(link, now)))
    return [429, { error: 'No tries with your passkey are left; wait for a security operator.' }];
  const result = await deps.passkeys.verifyAuthentication(
    linkEmployee(link),
    `approve:${link._id}`,
    credential as never,
    now,
  );
  if (result.outcome !== 'accepted') return [400, { error: refusalText(result.outcome) }];
  await deps.links.approveWithExistingFactor(link._id, now);
  return [200, { approved: true }];
}

/** The answer link, if it is open, and the key of the employee whose passkeys answer on it. */
async function openAnswerLink(
  deps: BotDeps,
  token: string,
): Promise<{ link: AnswerLinkDoc; employee: string } | undefined> {
  const view = await answerLinks(deps.collections).view(token, new Date());
  if (view.state !== 'open') return undefined;
  const alert = await deps.alerts.answerPageView(view.link.alertId);
  return { link: view.link, employee: answerLinkEmployee(view.link, alert?.employeeSlackId) };
}

async function answerOptions(deps: BotDeps, token: string): Promise<[number, object]> {
  const open = await openAnswerLink(deps, token);
  if (!open) return [410, { error: 'This link is no longer valid.' }];
  const { link, employee } = open;
  const options = await deps.passkeys.authenticationOptions(employee, link._id, new Date());
  if (!options) return [404, { error: 'You have no passkey: use your authenticator app.' }];
  return [200, options];
}

async function answerVerify(deps: BotDeps, token: string, body: unknown): Promise<[number, object]> {
  const open = await openAnswerLink(deps, token);
  if (!open) return [410, { error: 'This link is no longer valid.' }];
  const { link, employee } = open;
  const now = new Date();
  const result = await deps.passkeys.verifyAuthentication(
    employee,
    link._id,
    asCredential(body) as never,
    now,
  );
  deps.logger.info(
    { workflowId: link.workflowId, outcome: result.outcome, answerLink: hashToken(token).slice(0, 12) },
    'passkey check on the answer page',
  );
  if (result.outcome !== 'accepted') return [400, { verified: false, error: refusalText(result.outcome) }];
  const proof = await deps.passkeyProofs.issue(
    { workflowId: link.workflowId, employee, credentialId: result.credentialId! },
    now,
  );
  return [200, { verified: true, proof }];
}

function refusalText(outcome: string): string {
  switch (outcome) {
    case 'replayed':
      return 'This passkey response was already used: start again.';
    case 'expired':
      return 'That took too long: start again.';
    case 'not_enrolled':
      return 'That passkey is not (or no longer) registered for you.';
    default:
      return 'The passkey could not be verified.';
  }
}

/** The browser's credential JSON: an object with string id and a response object (the library checks the rest). */
function asCredential(body: unknown): object {
  const b = body as { id?: unknown; response?: unknown } | null;
  if (
    !b ||
    typeof b !== 'object' ||
    typeof b.id !== 'string' ||
    typeof b.response !== 'object' ||
    !b.response
  )
    throw new BadRequest('the body must be the credential the browser returned (id, response)');
  return b;
}

class BadRequest extends Error {
  override readonly name = 'BadRequest';
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const body = await readBody(req, MAX_JSON_BYTES);
  if (body === undefined) throw new BadRequest('body too large');
  try {
    return body ? JSON.parse(body) : {};
  } catch {
    throw new BadRequest('the body is not JSON');
  }
}

function sendJson(res: ServerResponse, status: number, body: object): void {
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  });
  res.end(JSON.stringify(body));
}

function asset(path: string, type: string, body: () => string): CustomRoute {
  return {
    path,
    method: ['GET'],
    handler: (_req, res) => {
      res.writeHead(200, {
        'content-type': `${type}; charset=utf-8`,
        'cache-control': 'public, max-age=3600',
        'x-content-type-options': 'nosniff',
      });
      res.end(body());
    },
  };
}
