import { randomBytes } from 'node:crypto';
import { verifyTotp } from '../../store/totp-verification';
import { codeAt } from '../../lib/totp';
import { collections } from '../../store/collections';
import { LINK_TTL_MS } from '../../store/enrollment-links';
import { secondFactors } from '../../store/second-factors';
import { isolatedMongo } from '../helpers/servers';
import { SlackStandIn } from '../helpers/slack-stand-in';
import { startPagesBot } from '../helpers/bot-under-test';
import { buttonClick, postInteraction, postSlashCommand } from '../helpers/slack-requests';

/**
 * `/vouch enroll` end to end through the real Bolt receiver and the page it serves: the secret never
 * travels through Slack, only the first browser may use the link, and only an operator who checked the
 * pairing code (or the employee's existing factor) unlocks it.
 */
const SECRET = 'test-signing-secret-0123456789';
const OPERATOR = 'UOPS0001';
const SECURITY = 'CSECURITY';
const ANA = 'UANA0001';

describe('/vouch enroll', () => {
  let mongo: Awaited<ReturnType<typeof isolatedMongo>>;
  let slack: SlackStandIn;
  let stopBot: (() => Promise<void>) | undefined;
  let base: string;
  const key = randomBytes(32);

  beforeAll(async () => {
    slack = await new SlackStandIn().addUser({ id: ANA, email: 'ana@example.com' }).start();
    mongo = await isolatedMongo();
    const bot = await startPagesBot({
      slackUrl: slack.url,
      db: mongo.db,
      key,
      signingSecret: SECRET,
      operators: OPERATOR,
      securityChannel: SECURITY,
    });
    base = bot.base;
    stopBot = bot.stop;
  });
  afterAll(async () => {
    await stopBot?.();
    await slack?.stop();
    await mongo?.drop();
  });

  const events = () => `${base}/slack/events`;
  async function requestLink(user = ANA): Promise<string> {
    const reply = (await postSlashCommand(events(), SECRET, user, '/vouch', 'enroll')).json();
    expect(reply.response_type).toBe('ephemeral');
    const link = /(http:\/\/\S+\/enroll\/[A-Za-z0-9_-]{43})/.exec(reply.text ?? '')?.[1];
    expect(link).toBeDefined();
    return link!;
  }
  const get = async (link: string, cookie?: string) => {
    const res = await fetch(link, { headers: cookie ? { cookie } : {} });
    return {
      status: res.status,
      html: await res.text(),
      cookie: res.headers.get('set-cookie'),
      headers: res.headers,
    };
  };
  const post = async (link: string, cookie: string | undefined, form: Record<string, string>) => {
    const res = await fetch(link, {
      method: 'POST',
      headers: { ...(cookie ? { cookie } : {}), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
    });
    return {
      status: res.status,
      html: await res.text(),
      cookie: res.headers.get('set-cookie'),
      headers: res.headers,
    };
  };
  /** The employee presses Start: the link binds to this browser. */
  const startOn = async (link: string) => {
    const started = await post(link, undefined, { action: 'start' });
    expect(started.status).toBe(200);
    return { ...started, cookie: started.cookie!.split(';')[0]! };
  };
  const linkIdFor = async (user: string) => {
    const request = await slack.waitForCall(
      'chat.postMessage',
      (c) => c.args.channel === SECURITY && String(c.args.text).includes(`<@${user}> asked`),
    );
    return /"value":"([0-9a-f]{64})"/.exec(JSON.stringify(request.args.blocks))![1]!;
  };
  const pairingCodeIn = (html: string) => /class="pairing">([A-Z0-9]{4}-[A-Z0-9]{4})</.exec(html)?.[1];
  const pairingSubmission = (user: string, linkId: string, code: string) => ({
    type: 'view_submission',
    team: { id: 'T0001', domain: 'example' },
    user: { id: user, username: user.toLowerCase(), team_id: 'T0001' },
    api_app_id: 'A0001',
    token: 'legacy-verification-token',
    trigger_id: 'trigger-pairing',
    view: {
      id: 'VPAIR',
      type: 'modal',
      callback_id: 'vouch_enroll_pairing',
      private_metadata: linkId,
      hash: 'hash-pair',
      state: { values: { vouch_pairing: { value: { type: 'plain_text_input', value: code } } } },
    },
  });

  it('binds to the first browser, needs the operator to check the pairing code, shows the key once, activates on a first code', async () => {
    const link = await requestLink();

    // A GET (a link preview, a scanner) binds nothing: the page asks for a deliberate Start.
    const preview = await get(link);
    expect(preview.status).toBe(200);
    expect(preview.cookie).toBeNull();
    expect(preview.html).toContain('name="action" value="start"');
    expect(slack.callsTo('chat.postMessage')).toHaveLength(0);

    const first = await post(link, undefined, { action: 'start' });
    expect(first.status).toBe(200);
    expect(first.headers.get('cache-control')).toBe('no-store');
    expect(first.headers.get('referrer-policy')).toBe('no-referrer');
    expect(first.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(first.cookie).toMatch(/^vouch_enroll=[\w-]+; Path=\/enroll\/[\w-]+; HttpOnly; SameSite=Lax/);
    const cookie = first.cookie!.split(';')[0]!;
    const pairing = pairingCodeIn(first.html)!;
    expect(pairing).toBeDefined();
    expect(first.html).not.toContain('<svg'); // no key before approval

    // Another browser (an attacker holding the same Slack session) is refused, whether it looks or starts.
    for (const other of [await get(link), await post(link, undefined, { action: 'start' })]) {
      expect(other.status).toBe(403);
      expect(other.html).toContain('already opened in another browser');
    }

    // The security channel is asked to approve, with a button carrying the link's id (not the token).
    const request = await slack.waitForCall('chat.postMessage', (c) => c.args.channel === SECURITY);
    expect(String(request.args.text)).toContain(`<@${ANA}> asked to set up a second factor`);
    const linkId = await linkIdFor(ANA);
    expect(JSON.stringify(request.args)).not.toContain(link.split('/').pop());

    // Not an operator: refused, no modal.
    await postInteraction(events(), SECRET, buttonClick(ANA, 'vouch_enroll_approve', linkId, SECURITY));
    await slack.waitForCall(
      'chat.postEphemeral',
      (c) => c.args.user === ANA && /Only the security team/.test(String(c.args.text)),
    );
    expect(slack.callsTo('views.open')).toHaveLength(0);

    // The operator opens the modal, enters a wrong code, then the right one.
    const click = buttonClick(OPERATOR, 'vouch_enroll_approve', linkId, SECURITY);
    await postInteraction(events(), SECRET, click);
    const modal = await slack.waitForCall('views.open', (c) => c.args.trigger_id === click.trigger_id);
    expect(JSON.stringify(modal.args.view)).toContain('vouch_enroll_pairing');
    const wrong = await postInteraction(events(), SECRET, pairingSubmission(OPERATOR, linkId, 'AAAA-AAAA'));
    expect(wrong.json()).toEqual({
      response_action: 'errors',
      errors: { vouch_pairing: 'That is not the code on their page. 2 attempt(s) left.' },
    });
    expect((await get(link, cookie)).html).not.toContain('<svg');
    const right = await postInteraction(
      events(),
      SECRET,
      pairingSubmission(OPERATOR, linkId, pairing.toLowerCase()),
    );
    expect(right.json()).toMatchObject({ response_action: 'update' });
    // Approval gives the employee a fresh quarter of an hour from now to scan and confirm.
    const approved = await collections(mongo.db).enrollmentLinks.findOne({ _id: linkId });
    expect(approved?.expiresAt.getTime()).toBeGreaterThan(
      approved!.approvedAt!.getTime() + LINK_TTL_MS - 1000,
    );

    // The bound browser now chooses a passkey or an app, with a page loading only Vouch's own script;
    // choosing the app shows its key, once.
    const choice = await get(link, cookie);
    expect(choice.html).toContain('data-passkey="register"');
    expect(choice.html).toContain('<script src="/assets/passkey.js"');
    expect(choice.html).not.toMatch(/<script(?![^>]*\ssrc=)/); // no inline script
    expect(choice.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(choice.html).not.toContain('<svg');
    const shown = await post(link, cookie, { action: 'totp' });
    expect(shown.status).toBe(200);
    expect(shown.html).toContain('<svg');
    const secret = /Or type this key: <code>([A-Z2-7 ]+)<\/code>/.exec(shown.html)![1]!.replace(/ /g, '');
    expect(secret).toHaveLength(32);
    const again = await get(link, cookie);
    expect(again.status).toBe(410);
    expect(again.html).not.toContain(secret.slice(0, 8));

    const c = collections(mongo.db);
    expect((await c.secondFactors.findOne({ _id: ANA }))?.secondFactor?.active).toBe(false);
    const history = await secondFactors(c, key).history(ANA);
    expect(history.map((e) => [e.action, e.actor])).toEqual([
      ['enrolled', `/vouch enroll, approved by ${OPERATOR}`],
    ]);

    const badCode = await post(link, cookie, { action: 'confirm', code: '000000' });
    expect(badCode.status).toBe(400);
    expect(badCode.html).toContain('the code does not match');
    const done = await post(link, cookie, { action: 'confirm', code: codeAt(secret, Date.now()) });
    expect(done.status).toBe(200);
    expect(done.html).toContain('Your second factor is active');
    expect((await c.secondFactors.findOne({ _id: ANA }))?.secondFactor?.active).toBe(true);
    expect((await get(link, cookie)).status).toBe(410); // used

    // The employee is told in Slack; nothing sent to Slack ever held the key.
    await slack.waitForCall(
      'chat.postMessage',
      (m) => m.args.channel === ANA && /new second factor/.test(String(m.args.text)),
    );
    const everything = JSON.stringify(slack.calls);
    expect(everything).not.toContain(secret);
    expect(everything).not.toContain(secret.replace(/(.{4})/g, '$1 ').trim());
  });

  it('an employee with a factor can approve a new link with a current code; the old factor works until the new one is confirmed', async () => {
    const c = collections(mongo.db);
    const factors = secondFactors(c, key);
    const { secret: current } = await factors.begin({ slackUserId: 'UBOB0002' }, 'test', new Date());
    await factors.confirm('UBOB0002', codeAt(current, Date.now() - 30_000), 'test', new Date());
    const link = await requestLink('UBOB0002');
    const { cookie, html } = await startOn(link);
    expect(html).toContain('Use my current code');
    const wrong = await post(link, cookie, { action: 'existing', code: '000000' });
    expect(wrong.html).toContain('That code was not accepted (rejected)');
    const approved = await post(link, cookie, { action: 'existing', code: codeAt(current, Date.now()) });
    expect(approved.html).toContain('Choose your second factor');
    const ok = await post(link, cookie, { action: 'totp' });
    expect(ok.status).toBe(200);
    expect(ok.html).toContain('<svg');
    const newSecret = /Or type this key: <code>([A-Z2-7 ]+)<\/code>/.exec(ok.html)![1]!.replace(/ /g, '');
    expect(newSecret).not.toBe(current);
    const history = await factors.history('UBOB0002');
    expect(history.at(-1)).toMatchObject({
      action: 'reset',
      actor: '/vouch enroll, approved by the existing second factor',
    });

    // Shown but not confirmed: the current factor still answers interviews, the new one not yet.
    const t1 = new Date(Date.now() + 30_000);
    expect((await verifyTotp(c, key, 'UBOB0002', codeAt(current, t1.getTime()), t1)).outcome).toBe(
      'accepted',
    );
    expect((await verifyTotp(c, key, 'UBOB0002', codeAt(newSecret, t1.getTime() + 30_000), t1)).outcome).toBe(
      'rejected',
    );

    const done = await post(link, cookie, { action: 'confirm', code: codeAt(newSecret, Date.now()) });
    expect(done.status).toBe(200);
    expect(done.html).toContain('Your second factor is active');
    // Confirmed: the new factor took over and the old one stopped working.
    const t2 = new Date(Date.now() + 60_000);
    expect((await verifyTotp(c, key, 'UBOB0002', codeAt(current, t2.getTime()), t2)).outcome).toBe(
      'rejected',
    );
    expect((await verifyTotp(c, key, 'UBOB0002', codeAt(newSecret, t2.getTime()), t2)).outcome).toBe(
      'accepted',
    );
  });

  it('guessing the current code in parallel gets at most three tries per link', async () => {
    const c = collections(mongo.db);
    const factors = secondFactors(c, key);
    const { secret } = await factors.begin({ slackUserId: 'UEVE0005' }, 'test', new Date());
    await factors.confirm('UEVE0005', codeAt(secret, Date.now() - 30_000), 'test', new Date());
    const link = await requestLink('UEVE0005');
    const { cookie } = await startOn(link);
    const valid = codeAt(secret, Date.now());
    const guesses = Array.from({ length: 12 }, (_, i) =>
      String((Number(valid) + 1 + i) % 1_000_000).padStart(6, '0'),
    );
    const pages = await Promise.all(guesses.map((code) => post(link, cookie, { action: 'existing', code })));
    const checked = pages.filter((p) => p.html.includes('That code was not accepted')).length;
    const refused = pages.filter((p) => p.html.includes('No tries with your current code are left')).length;
    expect(checked).toBe(3);
    expect(refused).toBe(9);
    expect((await c.secondFactors.findOne({ _id: 'UEVE0005' }))?.secondFactor?.failures).toBeLessThanOrEqual(
      3,
    );
    // Even the right code is refused now: this link's tries are spent (an operator can still approve).
    const late = await post(link, cookie, { action: 'existing', code: valid });
    expect(late.html).toContain('No tries with your current code are left');
  });

  it('an operator cannot approve their own enrollment', async () => {
    const link = await requestLink(OPERATOR);
    const { html } = await startOn(link);
    const linkId = await linkIdFor(OPERATOR);
    const click = buttonClick(OPERATOR, 'vouch_enroll_approve', linkId, SECURITY);
    await postInteraction(events(), SECRET, click);
    await slack.waitForCall(
      'chat.postEphemeral',
      (m) =>
        m.args.user === OPERATOR &&
        /Another operator must approve your own enrollment/.test(String(m.args.text)),
    );
    expect(slack.callsTo('views.open').filter((v) => v.args.trigger_id === click.trigger_id)).toHaveLength(0);
    // Even a crafted submission with the right code is refused.
    const submitted = await postInteraction(
      events(),
      SECRET,
      pairingSubmission(OPERATOR, linkId, pairingCodeIn(html)!),
    );
    expect(JSON.stringify(submitted.json())).toContain('Another operator must approve your own enrollment');
    expect((await collections(mongo.db).enrollmentLinks.findOne({ _id: linkId }))?.state).toBe(
      'awaiting_approval',
    );
  });

  it('when the approval request cannot be posted, the page still binds and the request is retried', async () => {
    const link = await requestLink('UFAY0006');
    slack.failNext('chat.postMessage', { error: 'not_in_channel' });
    const { cookie } = await startOn(link);
    expect(
      slack.callsTo('chat.postMessage').filter((m) => String(m.args.text).includes('<@UFAY0006> asked')),
    ).toHaveLength(1); // the failed attempt
    const again = await get(link, cookie);
    expect(again.status).toBe(200);
    expect(again.html).toContain('Your pairing code');
    expect(
      slack.callsTo('chat.postMessage').filter((m) => String(m.args.text).includes('<@UFAY0006> asked')),
    ).toHaveLength(2);
    await get(link, cookie); // posted once it succeeded: no third request
    expect(
      slack.callsTo('chat.postMessage').filter((m) => String(m.args.text).includes('<@UFAY0006> asked')),
    ).toHaveLength(2);
  });

  it('three wrong pairing codes refuse the link; unknown and expired links say so', async () => {
    const link = await requestLink('UCAR0003');
    const { cookie } = await startOn(link);
    const linkId = await linkIdFor('UCAR0003');
    const tries = await Promise.all(
      [1, 2, 3, 4, 5].map(() =>
        postInteraction(events(), SECRET, pairingSubmission(OPERATOR, linkId, 'ZZZZ-ZZZZ')),
      ),
    );
    const bodies = tries.map((t) => JSON.stringify(t.json()));
    expect(bodies.filter((b) => b.includes('That is not the code on their page'))).toHaveLength(2);
    expect(bodies.some((b) => b.includes('this enrollment link is refused'))).toBe(true);
    const refused = await get(link, cookie);
    expect(refused.status).toBe(403);
    expect(refused.html).toContain('refused this enrollment');

    expect((await get(`${base}/enroll/not-a-real-token`)).status).toBe(404);
    const stale = await requestLink('UDAN0004');
    await collections(mongo.db).enrollmentLinks.updateMany(
      { slackUserId: 'UDAN0004' },
      { $set: { expiresAt: new Date(Date.now() - LINK_TTL_MS) } },
    );
    const expired = await get(stale);
    expect(expired.status).toBe(410);
    expect(expired.html).toContain('This link has expired');
  });
});
