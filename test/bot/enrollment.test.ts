import { randomBytes } from 'node:crypto';
import type { App } from '@slack/bolt';
import { Client, Connection } from '@temporalio/client';
import { verifyTotp } from '../../activities/second-factor';
import { createBotApp } from '../../bot/app';
import { botDeps } from '../../bot/create-bot';
import { loadConfig } from '../../lib/config';
import { createLogger } from '../../lib/logger';
import { codeAt } from '../../lib/totp';
import { freePort } from '../../infra/processes';
import { collections } from '../../store/collections';
import { LINK_TTL_MS } from '../../store/enrollment-links';
import { secondFactors } from '../../store/second-factors';
import { isolatedMongo } from '../helpers/servers';
import { SlackStandIn } from '../helpers/slack-stand-in';
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
  let app: App;
  let base: string;
  let connection: Connection;
  const key = randomBytes(32);

  beforeAll(async () => {
    slack = await new SlackStandIn().addUser({ id: ANA, email: 'ana@example.com' }).start();
    mongo = await isolatedMongo();
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    const config = loadConfig({
      SLACK_BOT_TOKEN: 'xoxb-test-token',
      SLACK_SIGNING_SECRET: SECRET,
      SLACK_API_URL: slack.url,
      BOT_PORT: String(port),
      VOUCH_OPERATORS: OPERATOR,
      VOUCH_SECURITY_CHANNEL: SECURITY,
      VOUCH_ENCRYPTION_KEY: key.toString('base64'),
      VOUCH_PUBLIC_URL: base,
    });
    // Enrollment needs no Temporal: a lazy connection to nowhere proves it.
    connection = Connection.lazy({ address: '127.0.0.1:1' });
    const logger = createLogger('bot-test', 'silent');
    app = createBotApp(config, logger, botDeps(config, logger, new Client({ connection }), mongo.db));
    await app.start(port);
  });
  afterAll(async () => {
    await app?.stop();
    await connection?.close();
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
  const post = async (link: string, cookie: string, form: Record<string, string>) => {
    const res = await fetch(link, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
    });
    return { status: res.status, html: await res.text() };
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

    const first = await get(link);
    expect(first.status).toBe(200);
    expect(first.headers.get('cache-control')).toBe('no-store');
    expect(first.headers.get('referrer-policy')).toBe('no-referrer');
    expect(first.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(first.cookie).toMatch(/^vouch_enroll=[\w-]+; Path=\/enroll\/[\w-]+; HttpOnly; SameSite=Strict/);
    const cookie = first.cookie!.split(';')[0]!;
    const pairing = pairingCodeIn(first.html)!;
    expect(pairing).toBeDefined();
    expect(first.html).not.toContain('<svg'); // no key before approval

    // Another browser (an attacker holding the same Slack session) is refused.
    const other = await get(link);
    expect(other.status).toBe(403);
    expect(other.html).toContain('already opened in another browser');

    // The security channel is asked to approve, with a button carrying the link's id (not the token).
    const request = await slack.waitForCall('chat.postMessage', (c) => c.args.channel === SECURITY);
    expect(String(request.args.text)).toContain(`<@${ANA}> asked to set up a second factor`);
    const linkId = /"value":"([0-9a-f]{64})"/.exec(JSON.stringify(request.args.blocks))![1]!;
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

    // The bound browser now gets the key, once.
    const shown = await get(link, cookie);
    expect(shown.status).toBe(200);
    expect(shown.html).toContain('<svg');
    const secret = /Or type this key: <code>([A-Z2-7 ]+)<\/code>/.exec(shown.html)![1]!.replace(/ /g, '');
    expect(secret).toHaveLength(32);
    const again = await get(link, cookie);
    expect(again.status).toBe(410);
    expect(again.html).not.toContain(secret.slice(0, 8));

    const c = collections(mongo.db);
    expect((await c.employees.findOne({ _id: ANA }))?.secondFactor?.active).toBe(false);
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
    expect((await c.employees.findOne({ _id: ANA }))?.secondFactor?.active).toBe(true);
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

  it('an employee with a factor can approve a new link with a current code, without an operator', async () => {
    const factors = secondFactors(collections(mongo.db), key);
    const { secret: current } = await factors.begin({ slackUserId: 'UBOB0002' }, 'test', new Date());
    await factors.confirm('UBOB0002', codeAt(current, Date.now() - 30_000), 'test', new Date());
    const link = await requestLink('UBOB0002');
    const first = await get(link);
    const cookie = first.cookie!.split(';')[0]!;
    expect(first.html).toContain('Use my current code');
    const wrong = await post(link, cookie, { action: 'existing', code: '000000' });
    expect(wrong.html).toContain('That code was not accepted (rejected)');
    const ok = await post(link, cookie, { action: 'existing', code: codeAt(current, Date.now()) });
    expect(ok.status).toBe(200);
    expect(ok.html).toContain('<svg');
    const newSecret = /Or type this key: <code>([A-Z2-7 ]+)<\/code>/.exec(ok.html)![1]!.replace(/ /g, '');
    expect(newSecret).not.toBe(current);
    // The old key no longer works once replaced, the new one does after confirmation.
    await post(link, cookie, { action: 'confirm', code: codeAt(newSecret, Date.now()) });
    const later = new Date(Date.now() + 30_000);
    const c = collections(mongo.db);
    expect((await verifyTotp(c, key, 'UBOB0002', codeAt(current, later.getTime()), later)).outcome).toBe(
      'rejected',
    );
    expect((await verifyTotp(c, key, 'UBOB0002', codeAt(newSecret, later.getTime()), later)).outcome).toBe(
      'accepted',
    );
  });

  it('three wrong pairing codes refuse the link; unknown and expired links say so', async () => {
    const link = await requestLink('UCAR0003');
    const first = await get(link);
    const cookie = first.cookie!.split(';')[0]!;
    const request = await slack.waitForCall(
      'chat.postMessage',
      (c) => c.args.channel === SECURITY && String(c.args.text).includes('UCAR0003'),
    );
    const linkId = /"value":"([0-9a-f]{64})"/.exec(JSON.stringify(request.args.blocks))![1]!;
    for (let i = 0; i < 2; i++)
      await postInteraction(events(), SECRET, pairingSubmission(OPERATOR, linkId, 'ZZZZ-ZZZZ'));
    const third = await postInteraction(events(), SECRET, pairingSubmission(OPERATOR, linkId, 'ZZZZ-ZZZZ'));
    expect(JSON.stringify(third.json())).toContain('this enrollment link is refused');
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
