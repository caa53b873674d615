import type http from 'node:http';
import { botDeps } from '../../bot/create-bot';
import { createPagesServer } from '../../bot/pages-server';
import { teamsEnrollmentNoticesFor } from '../../bot/teams/enrollment-actions';
import { freePort } from '../../infra/processes';
import { loadConfig } from '../../lib/config';
import { createLogger } from '../../lib/logger';
import { codeAt } from '../../lib/totp';
import { emailKey } from '../../shared/employee-key';
import { collections } from '../../store/collections';
import { enrollmentLinks } from '../../store/enrollment-links';
import { secondFactors } from '../../store/second-factors';
import {
  MALLORY_OID,
  OPERATOR_OID,
  OPS,
  type TeamsHarness,
  startTeamsHarness,
} from '../helpers/teams-harness';
import { listInDirectory } from '../helpers/teams-bot-under-test';
import { teamsEnvFor } from '../helpers/teams-endpoint';
import { startPagesBot } from '../helpers/bot-under-test';
import { SlackStandIn } from '../helpers/slack-stand-in';
import type { ConnectorActivity } from '../helpers/teams-stand-in';
import { type TestBrowser, chromiumMissing, launchBrowser } from '../helpers/browser';
import { addVirtualAuthenticator } from '../helpers/virtual-passkey';
import { passkeyStore } from '../../store/passkeys';

const CAROL = emailKey('carol@example.com');
const OPERATOR_EMAIL = 'olga@example.com';
const ERIN = { email: 'erin@example.com', aadObjectId: 'e4a1b2c3-d4e5-4f60-8172-839405a6b7c8' };

/**
 * An organisation on Teams alone enrols through a `vouch factor link` link: the bot started without
 * Slack serves the enrollment page, the pairing code's approval is a card in the operators' Teams
 * channel, and only a configured Teams operator other than the employee can approve or deny it. All
 * real: the Teams endpoint fed signed activities, the Bot Connector stand-in, the page over HTTP and in
 * Chromium, the links and factors on FerretDB.
 */
describe('enrollment links in a Teams-only organisation', () => {
  let th: TeamsHarness;
  let pages: http.Server;
  let base: string;

  beforeAll(async () => {
    const port = await freePort();
    base = `http://localhost:${port}`;
    th = await startTeamsHarness({ publicUrl: base });
    const config = loadConfig({
      VOUCH_ENCRYPTION_KEY: th.h.key.toString('base64'),
      BOT_PORT: String(port),
      VOUCH_PUBLIC_URL: base,
    });
    const logger = createLogger('teams-enrollment-test', 'silent');
    pages = createPagesServer(botDeps(config, logger, th.h.client, th.h.mongo.db), [
      teamsEnrollmentNoticesFor(th.config),
    ]);
    await new Promise<void>((r) => pages.listen(port, r));
    await listInDirectory(th.h, [
      { email: OPERATOR_EMAIL, name: 'Olga Operator', aadObjectId: OPERATOR_OID },
    ]);
  }, 120_000);

  afterAll(async () => {
    await new Promise((r) => (pages ? pages.close(r) : r(undefined)));
    await th?.stop();
  });

  const c = () => collections(th.h.mongo.db);
  const newLink = async (employee: string) => {
    const { token } = await enrollmentLinks(c()).create(employee, new Date());
    return `${base}/enroll/${token}`;
  };
  const send = async (link: string, cookie?: string, form?: Record<string, string>) => {
    const res = await fetch(link, {
      method: form ? 'POST' : 'GET',
      headers: {
        ...(cookie ? { cookie } : {}),
        ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      ...(form ? { body: new URLSearchParams(form).toString() } : {}),
    });
    return { status: res.status, html: await res.text(), cookie: res.headers.get('set-cookie') };
  };
  /** The employee presses Start on the page: it binds to this browser and shows the pairing code. */
  const startOn = async (link: string) => {
    const started = await send(link, undefined, { action: 'start' });
    expect(started.status).toBe(200);
    const pairing = /class="pairing">([A-Z0-9]{4}-[A-Z0-9]{4})</.exec(started.html)?.[1];
    expect(pairing).toBeDefined();
    return { cookie: started.cookie!.split(';')[0]!, pairing: pairing! };
  };
  /** The approval card posted to the operators' channel for this employee, and its link id. */
  const approvalCardFor = async (who: string) => {
    const isCard = (a: ConnectorActivity) =>
      a.replyToId === undefined &&
      JSON.stringify(a.body).includes(`"text":"${who}"`) &&
      JSON.stringify(a.body).includes('asked to set up a second factor');
    await th.teams.waitFor(() => th.teams.activitiesIn(OPS).some(isCard));
    const card = th.teams.activitiesIn(OPS).find(isCard)!;
    const actions = (
      card.body.attachments as { content: { actions: { title: string; data: { linkId: string } }[] } }[]
    )[0]!.content.actions;
    expect(actions.map((a) => a.title)).toEqual(['Approve', 'Deny']);
    return { card, linkId: actions[0]!.data.linkId };
  };
  /**
   * A button of the card pressed by `from` in the operators' channel, with what they typed into the
   * pairing code field; answers what the bot replied to it.
   */
  const press = async (
    from: string,
    card: ConnectorActivity,
    vouch: string,
    linkId: string,
    pairingCode?: string,
    conversationId = `${OPS};messageid=${card.id}`,
  ) => {
    const pressed = th.activity(from, conversationId, {
      type: 'message',
      value: { vouch, linkId, ...(pairingCode === undefined ? {} : { pairingCode }) },
      conversation: { id: conversationId, conversationType: 'channel', tenantId: th.teams.app.tenantId },
    });
    expect((await th.signedPost(pressed)).status).toBe(200);
    return pressed.id;
  };
  const replyTo = async (pressedId: string) => {
    const isReply = (a: ConnectorActivity) => a.replyToId === pressedId;
    await th.teams.waitFor(() => th.teams.activities.some(isReply));
    return String(th.teams.activities.find(isReply)!.body.text);
  };
  const linkState = async (linkId: string) => (await c().enrollmentLinks.findOne({ _id: linkId }))?.state;

  it('a Teams operator approves the pairing code; the employee enrols on the page the Teams-only bot serves', async () => {
    const link = await newLink(CAROL);
    const preview = await send(link);
    expect(preview.status).toBe(200);
    expect(preview.html).toContain('Set up your second factor');
    const { cookie, pairing } = await startOn(link);
    const { card, linkId } = await approvalCardFor('carol@example.com');
    expect(th.cardText(card.body)).toContain('"id":"pairingCode"');

    // Mallory is in the tenant but no operator: refused, nothing changes.
    expect(await replyTo(await press(MALLORY_OID, card, 'enroll_approve', linkId, pairing))).toBe(
      'Only the operators named in VOUCH_TEAMS_OPERATORS can approve an enrollment.',
    );
    expect(await linkState(linkId)).toBe('awaiting_approval');

    // The card's buttons count only in the operators' channel.
    await press(OPERATOR_OID, card, 'enroll_approve', linkId, pairing, 'a:carol-chat');
    expect(await linkState(linkId)).toBe('awaiting_approval');

    const wrong = await press(OPERATOR_OID, card, 'enroll_approve', linkId, 'AAAA-AAAA');
    expect(await replyTo(wrong)).toBe('That is not the code on their page. 2 attempt(s) left.');
    expect((await send(link, cookie)).html).toContain('Waiting for the security team');

    const right = await press(OPERATOR_OID, card, 'enroll_approve', linkId, pairing.toLowerCase());
    expect(await replyTo(right)).toMatch(/^Enrollment of carol@example\.com approved by Olga Operator\./);
    expect(await c().enrollmentLinks.findOne({ _id: linkId })).toMatchObject({
      state: 'approved',
      approvedBy: `aad:${OPERATOR_OID}`,
    });

    const choice = await send(link, cookie);
    expect(choice.html).toContain('data-passkey="register"');
    const shown = await send(link, cookie, { action: 'totp' });
    expect(shown.status).toBe(200);
    const secret = /Or type this key: <code>([A-Z2-7 ]+)<\/code>/.exec(shown.html)![1]!.replace(/ /g, '');
    const done = await send(link, cookie, { action: 'confirm', code: codeAt(secret, Date.now()) });
    expect(done.status).toBe(200);
    expect(done.html).toContain('Your second factor is active');
    expect(await secondFactors(c(), th.h.key).isActive(CAROL)).toBe(true);
    const history = await secondFactors(c(), th.h.key).history(CAROL);
    expect(history.map((e) => e.actor)).toContain(`/vouch enroll, approved by aad:${OPERATOR_OID}`);
    await th.teams.waitFor(() =>
      th.teams
        .activitiesIn(OPS)
        .some((a) => a.body.text === 'Second-factor enrollment completed for carol@example.com.'),
    );
  });

  it("an operator cannot approve or deny their own enrollment, and Deny refuses another's", async () => {
    const ownLink = await newLink(emailKey(OPERATOR_EMAIL));
    const { pairing } = await startOn(ownLink);
    const own = await approvalCardFor(OPERATOR_EMAIL);
    for (const pressed of [
      await press(OPERATOR_OID, own.card, 'enroll_approve', own.linkId, pairing),
      await press(OPERATOR_OID, own.card, 'enroll_deny', own.linkId),
    ])
      expect(await replyTo(pressed)).toBe('Another operator must approve your own enrollment.');
    expect(await linkState(own.linkId)).toBe('awaiting_approval');
    // The store refuses it too, whoever calls it with the operator's keys.
    const direct = await enrollmentLinks(c()).approve(
      own.linkId,
      pairing,
      `aad:${OPERATOR_OID}`,
      new Date(),
      {
        operatorKeys: [emailKey(OPERATOR_EMAIL)],
      },
    );
    expect(direct.result).toBe('self');

    const link = await newLink(emailKey('mallory@example.com'));
    const { cookie } = await startOn(link);
    const { card, linkId } = await approvalCardFor('mallory@example.com');
    expect(await replyTo(await press(OPERATOR_OID, card, 'enroll_deny', linkId))).toBe(
      'Enrollment of mallory@example.com refused by Olga Operator.',
    );
    expect(await c().enrollmentLinks.findOne({ _id: linkId })).toMatchObject({
      state: 'denied',
      deniedBy: `aad:${OPERATOR_OID}`,
    });
    const refused = await send(link, cookie);
    expect(refused.status).toBe(403);
    expect(refused.html).toContain('The security team refused this enrollment');
    expect(await replyTo(await press(OPERATOR_OID, card, 'enroll_approve', linkId, 'AAAA-AAAA'))).toBe(
      'This enrollment is no longer waiting for approval.',
    );
  });

  (chromiumMissing ? it.skip : it)(
    'in Chromium: the page started, approved in Teams, registers a passkey on the Teams-only bot',
    async () => {
      let chromium: TestBrowser | undefined;
      try {
        chromium = await launchBrowser();
        const page = await chromium.newPage();
        await addVirtualAuthenticator(page);
        const employee = emailKey(ERIN.email);
        const link = await newLink(employee);
        await page.goto(link);
        await Promise.all([page.waitForNavigation(), page.click('button')]); // Start
        const pairing = await page.$eval('.pairing', (el) => el.textContent ?? '');
        const { card, linkId } = await approvalCardFor(ERIN.email);
        const approved = await press(OPERATOR_OID, card, 'enroll_approve', linkId, pairing);
        expect(await replyTo(approved)).toMatch(/approved by Olga Operator/);

        // The waiting page reloads by itself once approved.
        await page.waitForSelector('[data-passkey="register"]', { timeout: 15_000 });
        await page.click('[data-passkey="register"]');
        await page.waitForFunction(
          "document.getElementById('passkey-status').textContent.includes('Your passkey is set up')",
          { timeout: 15_000 },
        );
        const [stored] = await passkeyStore(c()).forEmployee(employee);
        expect(stored).toMatchObject({ employee, transports: ['internal'] });
        expect(await linkState(linkId)).toBe('done');
        await th.teams.waitFor(() =>
          th.teams
            .activitiesIn(OPS)
            .some((a) => a.body.text === `Passkey enrollment completed for ${ERIN.email}.`),
        );
      } finally {
        await chromium?.close();
      }
    },
    60_000,
  );

  it("beside Slack, the request goes to the operators' Teams channel when Slack refuses it", async () => {
    const slack = await new SlackStandIn().start();
    const bot = await startPagesBot({
      slackUrl: slack.url,
      db: th.h.mongo.db,
      key: th.h.key,
      signingSecret: 'test-signing-secret-0123456789',
      operators: 'UOPS0001',
      securityChannel: 'CSECURITY',
      env: teamsEnvFor(th.teams, {
        VOUCH_TEAMS_OPERATORS_CONVERSATION: OPS,
        VOUCH_TEAMS_OPERATORS: OPERATOR_OID,
      }),
    });
    try {
      slack.failNext('chat.postMessage', { error: 'not_in_channel' });
      const { token } = await enrollmentLinks(c()).create(emailKey('dana@example.com'), new Date());
      const started = await send(`${bot.base}/enroll/${token}`, undefined, { action: 'start' });
      expect(started.html).toContain('Your pairing code');
      expect(slack.callsTo('chat.postMessage')).toHaveLength(1); // refused
      const { linkId } = await approvalCardFor('dana@example.com');
      expect((await c().enrollmentLinks.findOne({ _id: linkId }))?.approvalRequestedAt).toBeInstanceOf(Date);
    } finally {
      await bot.stop();
      await slack.stop();
    }
  });
});
