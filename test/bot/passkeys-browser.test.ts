import { randomBytes } from 'node:crypto';
import type { Page } from 'puppeteer-core';
import { answerLinks } from '../../store/answer-links';
import { collections } from '../../store/collections';
import { enrollmentLinks } from '../../store/enrollment-links';
import { passkeyProofs } from '../../store/passkey-proofs';
import { passkeyStore } from '../../store/passkeys';
import { startPagesBot } from '../helpers/bot-under-test';
import {
  DESKTOP,
  PHONE,
  type TestBrowser,
  describeInBrowser,
  launchBrowser,
  screenshotAt,
} from '../helpers/browser';
import { isolatedMongo } from '../helpers/servers';
import { SlackStandIn } from '../helpers/slack-stand-in';
import { addVirtualAuthenticator } from '../helpers/virtual-passkey';

/**
 * A passkey in a real Chromium with a CDP virtual authenticator (CTAP2, internal, user verification):
 * an employee without Slack registers one through the enrollment page, then signs in on an answer link
 * with Vouch's page script, which hands the proof to the page's form. A replayed assertion and a revoked
 * passkey are refused.
 */
const OPERATOR = 'UOPS0001';
const CARLA = 'email:carla@example.com';

describeInBrowser('passkeys in a real browser', () => {
  let mongo: Awaited<ReturnType<typeof isolatedMongo>>;
  let slack: SlackStandIn;
  let bot: Awaited<ReturnType<typeof startPagesBot>>;
  let chromium: TestBrowser;
  let page: Page;
  const c = () => collections(mongo.db);

  beforeAll(async () => {
    slack = await new SlackStandIn().start();
    mongo = await isolatedMongo();
    bot = await startPagesBot({
      slackUrl: slack.url,
      db: mongo.db,
      key: randomBytes(32),
      signingSecret: 'test-signing-secret-0123456789',
      operators: OPERATOR,
      securityChannel: 'CSECURITY',
      host: 'localhost',
    });
    chromium = await launchBrowser();
    page = await chromium.newPage();
    await addVirtualAuthenticator(page);
  });
  afterAll(async () => {
    await chromium?.close();
    await bot?.stop();
    await slack?.stop();
    await mongo?.drop();
  });

  /** An answer link of an interview of Carla's, as the email channel makes one. */
  const answerLink = async (workflowId: string) =>
    (
      await answerLinks(c()).create(
        {
          workflowId,
          alertId: workflowId.slice(6),
          email: 'carla@example.com',
          expiresAt: new Date(Date.now() + 3600_000),
        },
        new Date(),
      )
    ).token;

  it('registers through the enrollment page, then authenticates on an answer link', async () => {
    const { token } = await enrollmentLinks(c()).create(CARLA, new Date());
    await page.goto(`${bot.base}/enroll/${token}`);
    await Promise.all([page.waitForNavigation(), page.click('button')]); // Start
    const pairing = await page.$eval('.pairing', (el) => el.textContent ?? '');
    const link = (await c().enrollmentLinks.findOne({ employee: CARLA }))!;
    expect((await enrollmentLinks(c()).approve(link._id, pairing, OPERATOR, new Date())).result).toBe(
      'approved',
    );

    await page.goto(`${bot.base}/enroll/${token}`);
    await screenshotAt(page, PHONE, 'docs/screenshots/enrollment-choice-phone.png');
    await screenshotAt(page, DESKTOP, 'docs/screenshots/enrollment-choice-desktop.png');
    await page.click('[data-passkey="register"]');
    await page.waitForFunction(
      "document.getElementById('passkey-status').textContent.includes('Your passkey is set up')",
      { timeout: 15_000 },
    );
    const [stored] = await passkeyStore(c()).forEmployee(CARLA);
    expect(stored).toMatchObject({ employee: CARLA, transports: ['internal'] });
    expect((await c().enrollmentLinks.findOne({ _id: link._id }))?.state).toBe('done');

    // The answer page's part, played by a form like the one it will serve: the script signs in with
    // the passkey and submits the proof in the form's field (a GET to /healthz here, to read it back).
    const workflowId = 'alert-browser-1';
    const answerToken = await answerLink(workflowId);
    await page.evaluate(`{
      const form = document.createElement('form');
      form.method = 'get';
      form.action = '/healthz';
      form.innerHTML = '<input type="hidden" name="passkeyProof"><button type="button" data-passkey="authenticate"' +
        ' data-options="/passkey/${answerToken}/options" data-verify="/passkey/${answerToken}/verify"' +
        ' data-status="answer-status" data-proof-field="passkeyProof" id="use-passkey">Verify with a passkey</button>' +
        '<p id="answer-status"></p>';
      document.body.append(form);
    }`);
    await page.addScriptTag({ url: '/assets/passkey.js' });
    await Promise.all([page.waitForNavigation({ timeout: 15_000 }), page.click('#use-passkey')]);
    const proof = new URL(page.url()).searchParams.get('passkeyProof')!;
    expect(proof).toMatch(/^pk1/);
    expect(await passkeyProofs(c()).redeem(proof, { workflowId, employee: CARLA }, new Date())).toBe(
      'accepted',
    );
    // The virtual authenticator counts its signatures: the stored counter moved with it.
    expect((await passkeyStore(c()).get(stored!._id))?.counter).toBeGreaterThan(stored!.counter);
  });

  /** Runs the authentication ceremony in the page, posting the same assertion `posts` times. */
  const signIn = (answerToken: string, posts: number) =>
    page.evaluate(`(async () => {
      const json = (url, body) =>
        fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
          .then(async (r) => ({ status: r.status, body: await r.json() }));
      const options = await json('/passkey/${answerToken}/options', {});
      if (options.status !== 200) return [options];
      const assertion = await SimpleWebAuthnBrowser.startAuthentication({ optionsJSON: options.body });
      const results = [];
      for (let i = 0; i < ${posts}; i++) results.push(await json('/passkey/${answerToken}/verify', assertion));
      return results;
    })()`) as Promise<{ status: number; body: { error?: string } }[]>;

  it('refuses a replayed assertion, and a revoked passkey', async () => {
    await page.goto(`${bot.base}/assets/vouch.css`); // any page of the origin
    await page.addScriptTag({ url: '/assets/webauthn.js' });
    const token = await answerLink('alert-browser-2');
    const [first, replayed] = await signIn(token, 2);
    expect(first!.status).toBe(200);
    expect(replayed).toMatchObject({ status: 400, body: { error: expect.stringContaining('already used') } });

    await passkeyStore(c()).revoke(CARLA, 'all', 'cli:test', new Date());
    const [refused] = await signIn(await answerLink('alert-browser-3'), 1);
    expect(refused).toMatchObject({ status: 404, body: { error: expect.stringContaining('no passkey') } });
  });
});
