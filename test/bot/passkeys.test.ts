import { randomBytes } from 'node:crypto';
import type {
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
} from '@simplewebauthn/server';
import { answerLinks } from '../../store/answer-links';
import { collections } from '../../store/collections';
import { enrollmentLinks } from '../../store/enrollment-links';
import { passkeyProofs } from '../../store/passkey-proofs';
import { passkeyStore } from '../../store/passkeys';
import { secondFactors } from '../../store/second-factors';
import { isolatedMongo } from '../helpers/servers';
import { SlackStandIn } from '../helpers/slack-stand-in';
import { SoftwareAuthenticator } from '../helpers/software-authenticator';
import { startPagesBot } from '../helpers/bot-under-test';

/**
 * Passkeys through the real bot HTTP server and FerretDB: registration on an approved enrollment link
 * (bound browser only, user verification required), then authentication for an answer link: a proof
 * redeemable once by that interview; replayed, expired, foreign and revoked are refused.
 */
const OPERATOR = 'UOPS0001';
const SECURITY = 'CSECURITY';
const ANA = 'UANA0001';
const CARLA = 'email:carla@example.com';

/** What the routes answer: options of either ceremony, or an outcome. */
type Json = PublicKeyCredentialCreationOptionsJSON &
  PublicKeyCredentialRequestOptionsJSON & {
    added?: boolean;
    verified?: boolean;
    proof?: string;
    error?: string;
  };

describe('passkeys on the bot', () => {
  let mongo: Awaited<ReturnType<typeof isolatedMongo>>;
  let slack: SlackStandIn;
  let stopBot: (() => Promise<void>) | undefined;
  let base: string;
  let authenticator: SoftwareAuthenticator;
  const key = randomBytes(32);
  const c = () => collections(mongo.db);

  beforeAll(async () => {
    slack = await new SlackStandIn().addUser({ id: ANA, email: 'ana@example.com' }).start();
    mongo = await isolatedMongo();
    const bot = await startPagesBot({
      slackUrl: slack.url,
      db: mongo.db,
      key,
      signingSecret: 'test-signing-secret-0123456789',
      operators: OPERATOR,
      securityChannel: SECURITY,
    });
    base = bot.base;
    stopBot = bot.stop;
    authenticator = new SoftwareAuthenticator(base);
  });
  afterAll(async () => {
    await stopBot?.();
    await slack?.stop();
    await mongo?.drop();
  });

  const postJson = async (path: string, body: unknown, cookie?: string) => {
    const res = await fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) },
      body: JSON.stringify(body),
    });
    return { status: res.status, json: (await res.json()) as Json };
  };

  /** The employee presses Start on the link's page: its cookie and the page. */
  async function startLink(token: string): Promise<{ cookie: string; html: string }> {
    const started = await fetch(`${base}/enroll/${token}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'action=start',
    });
    return { cookie: started.headers.get('set-cookie')!.split(';')[0]!, html: await started.text() };
  }

  /** An enrollment link for `employee`, started in a browser and approved by the operator. */
  async function approvedLink(employee: string) {
    const links = enrollmentLinks(c());
    const { token } = await links.create(employee, new Date());
    const { cookie, html } = await startLink(token);
    const pairing = /class="pairing">([A-Z0-9-]{9})</.exec(html)![1]!;
    const link = (await c().enrollmentLinks.findOne({ employee }, { sort: { createdAt: -1 } }))!;
    expect((await links.approve(link._id, pairing, OPERATOR, new Date())).result).toBe('approved');
    return { token, cookie, linkId: link._id };
  }

  async function register(employee: string) {
    const { token, cookie } = await approvedLink(employee);
    const options = await postJson(`/enroll/${token}/passkey/options`, {}, cookie);
    expect(options.status).toBe(200);
    const done = await postJson(
      `/enroll/${token}/passkey/verify`,
      authenticator.register(options.json),
      cookie,
    );
    expect(done).toEqual({ status: 200, json: { added: true } });
    return token;
  }

  /** An answer link of an interview, as the email channel or the Slack modal makes one. */
  async function answerLink(employee: string, workflowId = `alert-${randomBytes(4).toString('hex')}`) {
    const { token } = await answerLinks(c()).create(
      {
        workflowId,
        alertId: workflowId.slice(6),
        email: 'someone@example.com',
        employee,
        expiresAt: new Date(Date.now() + 3600_000),
      },
      new Date(),
    );
    return { token, workflowId };
  }

  it('registers a passkey on an approved link, for the bound browser only, with user verification', async () => {
    const { token, cookie, linkId } = await approvedLink(ANA);
    // Another browser, or none, gets nothing.
    expect((await postJson(`/enroll/${token}/passkey/options`, {})).status).toBe(403);
    // A form post (what a cross-site page could send) is refused before anything is read.
    const form = await fetch(`${base}/enroll/${token}/passkey/options`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
      body: 'a=b',
    });
    expect(form.status).toBe(415);

    const options = (await postJson(`/enroll/${token}/passkey/options`, {}, cookie)).json;
    expect(options.rp.id).toBe('127.0.0.1');
    expect(options.authenticatorSelection?.userVerification).toBe('required');
    // Without user verification, or made for another origin: refused, nothing stored.
    const unverified = await postJson(
      `/enroll/${token}/passkey/verify`,
      authenticator.register(options, { userVerified: false }),
      cookie,
    );
    expect(unverified.status).toBe(400);
    const again = (await postJson(`/enroll/${token}/passkey/options`, {}, cookie)).json;
    const phished = await postJson(
      `/enroll/${token}/passkey/verify`,
      authenticator.register(again, { origin: 'https://vouch.example.evil' }),
      cookie,
    );
    expect(phished.status).toBe(400);
    expect(await c().passkeys.countDocuments({ employee: ANA })).toBe(0);

    const fresh = (await postJson(`/enroll/${token}/passkey/options`, {}, cookie)).json;
    const response = authenticator.register(fresh);
    expect(await postJson(`/enroll/${token}/passkey/verify`, response, cookie)).toEqual({
      status: 200,
      json: { added: true },
    });
    // The same response again: its challenge is spent (and the link is done).
    expect((await postJson(`/enroll/${token}/passkey/verify`, response, cookie)).status).toBe(403);
    expect((await c().enrollmentLinks.findOne({ _id: linkId }))?.state).toBe('done');

    const stored = await c().passkeys.findOne({ employee: ANA });
    expect(stored).toMatchObject({ _id: response.id, counter: 0, transports: ['internal'] });
    expect(stored?.createdBy).toBe(`enrollment page, approved by ${OPERATOR}`);
    expect(Object.keys(stored!).sort()).toEqual(
      ['_id', 'counter', 'createdAt', 'createdBy', 'employee', 'publicKey', 'transports'].sort(),
    );
    expect(await secondFactors(c(), key).hasAny(ANA)).toBe(true);
    expect((await secondFactors(c(), key).history(ANA)).map((e) => e.action)).toEqual(['passkey_added']);
    await slack.waitForCall(
      'chat.postMessage',
      (m) =>
        m.args.channel === SECURITY &&
        /Passkey enrollment completed for <@UANA0001>/.test(String(m.args.text)),
    );
    await slack.waitForCall('chat.postMessage', (m) => m.args.channel === ANA);
  });

  it('an employee without Slack registers one and authenticates on an answer link; the proof is good once', async () => {
    await register(CARLA);
    await slack.waitForCall(
      'chat.postMessage',
      (m) =>
        m.args.channel === SECURITY && String(m.args.text).includes('carla@example[.]com (not in Slack)'),
    );
    const { token, workflowId } = await answerLink(CARLA);
    const options = await postJson(`/passkey/${token}/options`, {});
    expect(options.status).toBe(200);
    expect(options.json).toMatchObject({ rpId: '127.0.0.1', userVerification: 'required' });
    const assertion = authenticator.authenticate(options.json);
    const verified = await postJson(`/passkey/${token}/verify`, assertion);
    expect(verified.status).toBe(200);
    expect(verified.json).toMatchObject({ verified: true });
    const proof = verified.json.proof!;
    expect(proof).toMatch(/^pk1[\w-]{30}$/);
    expect((await c().passkeys.findOne({ employee: CARLA }))?.counter).toBe(1);

    // The same assertion again: its challenge is spent.
    const replayed = await postJson(`/passkey/${token}/verify`, assertion);
    expect(replayed).toMatchObject({ status: 400, json: { verified: false } });
    expect(replayed.json.error).toContain('already used');

    // The proof: for this interview and employee only, once.
    const proofs = passkeyProofs(c());
    expect(await proofs.redeem(proof, { workflowId: 'alert-other', employee: CARLA }, new Date())).toBe(
      'rejected',
    );
    expect(await proofs.redeem(proof, { workflowId, employee: ANA }, new Date())).toBe('rejected');
    expect(await proofs.redeem(proof, { workflowId, employee: CARLA }, new Date())).toBe('accepted');
    expect(await proofs.redeem(proof, { workflowId, employee: CARLA }, new Date())).toBe('replayed');
  });

  it('refuses an expired challenge, a counter that did not move, another employee’s challenge, and a closed link', async () => {
    const dan = 'email:dan@example.com';
    await register(dan);
    const { token, workflowId } = await answerLink(dan);

    const stale = (await postJson(`/passkey/${token}/options`, {})).json;
    await c().passkeyChallenges.updateOne({ _id: stale.challenge }, { $set: { expiresAt: new Date(0) } });
    const expired = await postJson(`/passkey/${token}/verify`, authenticator.authenticate(stale));
    expect(expired.json.error).toContain('too long');

    // A cloned authenticator's signature counter lags behind the stored one.
    const first = (await postJson(`/passkey/${token}/options`, {})).json;
    expect(
      (await postJson(`/passkey/${token}/verify`, authenticator.authenticate(first, { counter: 10 }))).status,
    ).toBe(200);
    const lagging = (await postJson(`/passkey/${token}/options`, {})).json;
    const cloned = await postJson(
      `/passkey/${token}/verify`,
      authenticator.authenticate(lagging, { counter: 10 }),
    );
    expect(cloned.status).toBe(400);

    // A challenge issued on another employee's link does not verify here.
    await register('email:eve@example.com');
    const { token: evesLink } = await answerLink('email:eve@example.com');
    const evesOptions = (await postJson(`/passkey/${evesLink}/options`, {})).json;
    const foreign = await postJson(`/passkey/${token}/verify`, authenticator.authenticate(evesOptions));
    expect(foreign.status).toBe(400);

    // Unverified user: refused.
    const noUv = (await postJson(`/passkey/${token}/options`, {})).json;
    expect(
      (await postJson(`/passkey/${token}/verify`, authenticator.authenticate(noUv, { userVerified: false })))
        .status,
    ).toBe(400);

    await answerLinks(c()).closeAll(workflowId, new Date());
    expect((await postJson(`/passkey/${token}/options`, {})).status).toBe(410);
  });

  it('a revoked passkey is refused, and the revocation is recorded', async () => {
    const fay = 'email:fay@example.com';
    await register(fay);
    const { token } = await answerLink(fay);
    const options = (await postJson(`/passkey/${token}/options`, {})).json;
    const assertion = authenticator.authenticate(options);
    const [id] = await passkeyStore(c()).revoke(fay, 'all', 'cli:alice', new Date(), 'lost laptop');
    expect(id).toBe(assertion.id);
    const refused = await postJson(`/passkey/${token}/verify`, assertion);
    expect(refused).toMatchObject({ status: 400, json: { verified: false } });
    expect(refused.json.error).toContain('not (or no longer) registered');
    expect((await postJson(`/passkey/${token}/options`, {})).status).toBe(404);
    expect(await secondFactors(c(), key).hasAny(fay)).toBe(false);
    expect((await secondFactors(c(), key).history(fay)).map((e) => [e.action, e.actor, e.detail])).toEqual([
      ['passkey_added', expect.any(String), expect.any(String)],
      ['passkey_revoked', 'cli:alice', `passkey ${id!.slice(0, 12)}: lost laptop`],
    ]);
  });

  it('a passkey the employee already has approves a new link, within the tries a code gets', async () => {
    const gus = 'email:gus@example.com';
    await register(gus);
    const { token } = await enrollmentLinks(c()).create(gus, new Date());
    const { cookie, html } = await startLink(token);
    expect(html).toContain('data-passkey="approve"');
    // The page reloads by its script (not a meta refresh, which would cut a passkey prompt short).
    expect(html).toContain('<body data-refresh="5">');
    expect(html).not.toContain('http-equiv="refresh"');
    expect((await postJson(`/enroll/${token}/passkey/approve-options`, {})).status).toBe(403); // other browser

    const tryWith = async (userVerified: boolean) => {
      const options = (await postJson(`/enroll/${token}/passkey/approve-options`, {}, cookie)).json;
      return postJson(
        `/enroll/${token}/passkey/approve`,
        authenticator.authenticate(options, { userVerified }),
        cookie,
      );
    };
    expect((await tryWith(false)).status).toBe(400);
    const approved = await tryWith(true);
    expect(approved).toEqual({ status: 200, json: { approved: true } });
    expect(await c().enrollmentLinks.findOne({ employee: gus, state: 'approved' })).toMatchObject({
      approvedBy: 'the existing second factor',
    });
    const choice = await fetch(`${base}/enroll/${token}`, { headers: { cookie } });
    expect(await choice.text()).toContain('Choose your second factor');

    // Another link: three failed tries, then even the right passkey must wait for an operator.
    const next = await enrollmentLinks(c()).create(gus, new Date());
    const { cookie: nextCookie } = await startLink(next.token);
    const attempt = async (userVerified: boolean) => {
      const options = (await postJson(`/enroll/${next.token}/passkey/approve-options`, {}, nextCookie)).json;
      return postJson(
        `/enroll/${next.token}/passkey/approve`,
        authenticator.authenticate(options, { userVerified }),
        nextCookie,
      );
    };
    for (let i = 0; i < 3; i++) expect((await attempt(false)).status).toBe(400);
    expect(await attempt(true)).toMatchObject({ status: 429 });
  });

  it('serves the browser bundle and its script from its own origin', async () => {
    const bundle = await fetch(`${base}/assets/webauthn.js`);
    expect(bundle.headers.get('content-type')).toContain('text/javascript');
    expect(await bundle.text()).toContain('SimpleWebAuthnBrowser');
    const script = await (await fetch(`${base}/assets/passkey.js`)).text();
    expect(script).toContain('startRegistration');
    expect(() => new Function(script)).not.toThrow();
  });
});
