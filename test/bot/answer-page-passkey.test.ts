import path from 'node:path';
import nodemailer from 'nodemailer';
import type { Page } from 'puppeteer-core';
import { freePort } from '../../infra/processes';
import { threadMessageId } from '../../activities/channels/email';
import { directoryEntrySchema } from '../../shared/directory-entry';
import { emailKey } from '../../shared/employee-key';
import { alertStore } from '../../store/alerts';
import { collections } from '../../store/collections';
import { directoryStore } from '../../store/directory';
import { startBot } from '../helpers/bot-under-test';
import {
  DESKTOP,
  PHONE,
  type TestBrowser,
  contrastProblems,
  describeInBrowser,
  launchBrowser,
  screenshotAt,
} from '../helpers/browser';
import {
  alertFor,
  createDevServerHarness,
  enroll,
  resultWithin,
  setPolicy,
  start,
  state,
  validCode,
} from '../helpers/interview-harness';
import { recordHistory } from '../helpers/history';
import { uniqueName } from '../helpers/servers';
import { startSmtpServer } from '../helpers/smtp-server';
import { addVirtualAuthenticator, registerPasskeyIn } from '../helpers/virtual-passkey';

const SCREENSHOTS = path.join(__dirname, '../../docs/screenshots');
const FROM = 'Vouch <vouch@example.com>';
const LINK = /(http:\/\/localhost:\d+\/answer\/[A-Za-z0-9_-]{43})/;

/**
 * An employee without Slack interviewed end to end by email with a passkey, all real: the workflow on
 * the Temporal dev server, the email through an SMTP server, the bot serving the answer page on
 * `localhost` (browsers refuse passkeys on an IP address), and Chromium with a CDP virtual authenticator
 * (CTAP2, user verification) answering "Yes" with the passkey.
 */
describeInBrowser('the answer page with a passkey, in a real browser', () => {
  let h: Awaited<ReturnType<typeof createDevServerHarness>>;
  let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
  let bot: Awaited<ReturnType<typeof startBot>>;
  let chromium: TestBrowser;
  let botUrl: string;
  /** A tab with the virtual authenticator: it makes the passkeys and answers with them. */
  let page: Page;

  beforeAll(async () => {
    smtp = await startSmtpServer();
    const port = await freePort();
    botUrl = `http://localhost:${port}`;
    h = await createDevServerHarness({
      activityDeps: {
        mail: { transport: nodemailer.createTransport(smtp.url), from: FROM, publicUrl: botUrl },
      },
    });
    bot = await startBot(h, h.client, { signingSecret: 'answer-passkey-secret', port, publicUrl: botUrl });
    chromium = await launchBrowser();
    page = await chromium.newPage();
    await addVirtualAuthenticator(page);
  });
  afterAll(async () => {
    await chromium?.close();
    await bot?.app.stop();
    await h?.teardown();
    await smtp?.close();
  });

  const c = () => collections(h.mongo.db);

  /** An employee the directory lists by email only (Slack does not know them). */
  async function withoutSlack(name: string): Promise<string> {
    const email = `${uniqueName(name)}@example.com`.toLowerCase();
    await directoryStore(c()).set(directoryEntrySchema.parse({ email }), 'test');
    return email;
  }

  /** A passkey made by the tab's virtual authenticator, registered through the ceremony store. */
  const addPasskey = (employee: string) => registerPasskeyIn(page, botUrl, c(), employee);

  /** An interview of `email` by email only; resolves once its email with the link has arrived. */
  async function askedByEmail(email: string) {
    const type = uniqueName('type');
    await setPolicy(h, type, { channels: ['email'], reminders: [], deadline: '30m' });
    const alert = alertFor({ email }, { type });
    const handle = await start(h, alert);
    const mail = await smtp.waitFor((m) => m.messageId === threadMessageId(handle.workflowId, 'ask', FROM));
    const link = LINK.exec(mail.text ?? '')?.[1];
    if (!link) throw new Error(`no answer link in: ${mail.text}`);
    return { handle, alertId: alert.id, link };
  }

  const events = async (handle: Awaited<ReturnType<typeof start>>, alertId: string) => [
    ...(await state(handle)).transcript,
    ...((await alertStore(c()).get(alertId, { withAudit: true }))?.audit ?? []),
  ];
  const text = (p: Page, selector: string) => p.$eval(selector, (e) => e.textContent ?? '');
  const submit = async (p: Page, selector: string) => {
    const [response] = await Promise.all([p.waitForNavigation(), p.click(selector)]);
    return response!;
  };

  it('an employee without Slack: the email, its link, "Yes" with the passkey ends confirmed_verified', async () => {
    const email = await withoutSlack('erin');
    await addPasskey(emailKey(email));
    await enroll(h, emailKey(email)); // a TOTP factor too: the step offers both
    const { handle, alertId, link } = await askedByEmail(email);

    const requests: string[] = [];
    const blocked: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) blocked.push(m.text());
    });
    await page.goto(link, { waitUntil: 'load' });
    expect(await text(page, 'h1')).toBe('Security check: was this you?');
    const step = await submit(page, 'button.yes');
    expect(step.status()).toBe(200);
    const csp = step.headers()['content-security-policy'] ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(await text(page, 'h1')).toBe('Confirm it is you');
    // Only the bot's own scripts, none inline; the passkey button has the focus; every field a label.
    expect(await page.$$eval('script', (s) => s.map((e) => e.getAttribute('src')))).toEqual([
      '/assets/webauthn.js',
      '/assets/passkey.js',
    ]);
    expect(await page.evaluate('document.documentElement.lang')).toBe('en');
    expect(await page.evaluate('document.activeElement?.id')).toBe('use-passkey');
    expect(await page.evaluate('getComputedStyle(document.activeElement).outlineStyle')).toBe('solid');
    expect(
      await page.evaluate(
        '[...document.querySelectorAll("input:not([type=hidden]),textarea")].every((e) => e.labels.length > 0)',
      ),
    ).toBe(true);
    expect(await page.$('#code')).not.toBeNull(); // the code beside the passkey
    await expect(contrastProblems(page)).resolves.toEqual([]);
    await screenshotAt(page, DESKTOP, path.join(SCREENSHOTS, 'answer-page-passkey-desktop.png'));
    await screenshotAt(page, PHONE, path.join(SCREENSHOTS, 'answer-page-passkey-phone.png'));
    expect(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);

    await page.type('#justification', 'Rotating the deploy key');
    const [verified] = await Promise.all([
      page.waitForNavigation({ timeout: 20_000 }),
      page.click('#use-passkey'),
    ]);
    expect(verified!.status()).toBe(200);
    expect(await text(page, 'h1')).toBe('Verified');

    const result = await resultWithin(handle, 30_000);
    expect(result.outcome).toBe('confirmed_verified');
    recordHistory('answer-page-passkey-verified-email-only-employee', await handle.fetchHistory());
    const all = await events(handle, alertId);
    expect(all).toContainEqual(
      expect.objectContaining({
        kind: 'employee_answer',
        answer: 'confirmed',
        via: 'web',
        actor: `email:${email}`,
        justification: 'Rotating the deploy key',
      }),
    );
    expect(all.filter((e) => e.kind === 'second_factor_attempt')).toEqual([
      expect.objectContaining({ result: 'accepted', via: 'web' }),
    ]);
    expect(all.some((e) => e.kind === 'not_enrolled')).toBe(false);
    expect(requests.every((u) => u.startsWith(`${botUrl}/`))).toBe(true);
    expect(blocked).toEqual([]);
    page.removeAllListeners('request');
    page.removeAllListeners('console');
  });

  it('an employee without Slack with a TOTP factor is asked for the code, and a right one verifies', async () => {
    const email = await withoutSlack('gil');
    const secret = await enroll(h, emailKey(email));
    const { handle, alertId, link } = await askedByEmail(email);
    const p = await chromium.newPage();
    await p.goto(link);
    await submit(p, 'button.yes');
    expect(await p.$('#use-passkey')).toBeNull();
    await p.type('#code', validCode(secret));
    expect((await submit(p, 'button.yes')).status()).toBe(200);
    expect(await text(p, 'h1')).toBe('Verified');
    expect((await resultWithin(handle, 30_000)).outcome).toBe('confirmed_verified');
    recordHistory('answer-page-totp-verified-email-only-employee', await handle.fetchHistory());
    expect((await events(handle, alertId)).filter((e) => e.kind === 'second_factor_attempt')).toEqual([
      expect.objectContaining({ result: 'accepted', via: 'web' }),
    ]);
  });

  it('without script, the passkey step still takes the TOTP code', async () => {
    const email = await withoutSlack('hana');
    await addPasskey(emailKey(email));
    const secret = await enroll(h, emailKey(email));
    const { handle, link } = await askedByEmail(email);
    const p = await chromium.newPage();
    await p.setJavaScriptEnabled(false);
    await p.goto(link);
    await submit(p, 'button.yes');
    expect(await p.$('#use-passkey')).not.toBeNull();
    expect(await text(p, 'noscript')).toContain('needs JavaScript');
    await p.type('#code', validCode(secret));
    const [verified] = await Promise.all([p.waitForNavigation(), p.click('button[value="code"]')]);
    expect(verified!.status()).toBe(200);
    expect(await text(p, 'h1')).toBe('Verified');
    expect((await resultWithin(handle, 30_000)).outcome).toBe('confirmed_verified');
  });
});
