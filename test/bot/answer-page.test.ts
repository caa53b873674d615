import path from 'node:path';
import nodemailer from 'nodemailer';
import type { Page } from 'puppeteer-core';
import type { ParsedMail } from 'mailparser';
import { freePort } from '../../infra/processes';
import { directoryEntrySchema } from '../../shared/directory-entry';
import { alertStore } from '../../store/alerts';
import { answerLinks } from '../../store/answer-links';
import { threadMessageId } from '../../activities/channels/email';
import { collections } from '../../store/collections';
import { directoryStore } from '../../store/directory';
import { employeeCache } from '../../store/employee-cache';
import { startBot } from '../helpers/bot-under-test';
import {
  DESKTOP,
  PHONE,
  describeInBrowser,
  contrastProblems,
  launchBrowser,
  screenshotAt,
  type TestBrowser,
} from '../helpers/browser';
import {
  ANA,
  BOB,
  SECURITY_CHANNEL,
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

/** Where the tests write the page's screenshots; the README shows them. */
const SCREENSHOTS = path.join(__dirname, '../../docs/screenshots');
const FROM = 'Vouch <vouch@example.com>';
const LINK = /(http:\/\/127\.0\.0\.1:\d+\/answer\/[A-Za-z0-9_-]{43})/;

/**
 * The email channel end to end, all real: the workflow on the Temporal dev server, the email through an
 * SMTP server, the bot serving the answer page, and Chromium opening the link and answering.
 */
describeInBrowser('the answer page, in a real browser', () => {
  let h: Awaited<ReturnType<typeof createDevServerHarness>>;
  let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
  let bot: Awaited<ReturnType<typeof startBot>>;
  let chromium: TestBrowser;
  let botUrl: string;

  beforeAll(async () => {
    smtp = await startSmtpServer();
    const port = await freePort();
    botUrl = `http://127.0.0.1:${port}`;
    h = await createDevServerHarness({
      activityDeps: {
        mail: {
          transport: nodemailer.createTransport(smtp.url),
          from: FROM,
          publicUrl: botUrl,
        },
      },
    });
    bot = await startBot(h, h.client, { signingSecret: 'answer-page-secret', port, publicUrl: botUrl });
    chromium = await launchBrowser();
  });
  afterAll(async () => {
    await chromium?.close();
    await bot?.app.stop();
    await h?.teardown();
    await smtp?.close();
  });

  const c = () => collections(h.mongo.db);
  const record = async (alertId: string) => (await alertStore(c()).get(alertId, { withAudit: true }))!;
  /** The interview's events so far (the workflow's, which it stores in batches) and the bot's audit entries. */
  const kinds = async (handle: Awaited<ReturnType<typeof start>>, alertId: string) => [
    ...(await state(handle)).transcript,
    ...((await record(alertId)).audit ?? []),
  ];
  /** An employee the directory lists by email whom Slack does not know. */
  async function withoutSlack(name: string, fullName?: string): Promise<string> {
    const email = `${uniqueName(name)}@example.com`.toLowerCase();
    await directoryStore(c()).set(directoryEntrySchema.parse({ email, name: fullName }), 'test');
    return email;
  }

  /** The events once `has` holds (the workflow notes an email a moment after the server took it). */
  async function eventsOnce(
    handle: Awaited<ReturnType<typeof start>>,
    alertId: string,
    has: (events: Awaited<ReturnType<typeof kinds>>) => boolean,
  ) {
    for (const started = Date.now(); ; await new Promise((r) => setTimeout(r, 100))) {
      const events = await kinds(handle, alertId);
      if (has(events) || Date.now() - started > 10_000) return events;
    }
  }
  const hasKind = (kind: string) => (events: { kind: string }[]) => events.some((e) => e.kind === kind);

  /** An interview of `email` under a policy of its own; resolves with its first email and link. */
  async function askedByEmail(
    email: string,
    policy: Record<string, unknown>,
  ): Promise<{ handle: Awaited<ReturnType<typeof start>>; alertId: string; mail: ParsedMail; link: string }> {
    const type = uniqueName('type');
    await setPolicy(h, type, { reminders: [], deadline: '30m', ...policy });
    const alert = alertFor({ email }, { type });
    const handle = await start(h, alert);
    const mail = await askMail(handle.workflowId);
    const link = LINK.exec(mail.text ?? '')?.[1];
    if (!link) throw new Error(`no answer link in: ${mail.text}`);
    return { handle, alertId: alert.id, mail, link };
  }
  /** The interview's question by email: the thread's first message, whose Message-ID the workflow id fixes. */
  const askMail = (workflowId: string) =>
    smtp.waitFor((m) => m.messageId === threadMessageId(workflowId, 'ask', FROM));

  /** The link opened in a new page (or in `page`, of a second browser), noting its requests and what its CSP blocked. */
  async function openPage(link: string, viewport = DESKTOP, page?: Page) {
    const p = page ?? (await chromium.newPage(viewport));
    const requests: string[] = [];
    const errors: string[] = [];
    p.on('request', (r) => requests.push(r.url()));
    // Chromium reports what the Content-Security-Policy blocked on the console.
    p.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) errors.push(m.text());
    });
    const response = await p.goto(link, { waitUntil: 'load' });
    return { page: p, response: response!, requests, errors };
  }

  const text = (page: Page, selector: string) => page.$eval(selector, (e) => e.textContent ?? '');
  const submit = async (page: Page, selector: string) => {
    const [response] = await Promise.all([page.waitForNavigation(), page.click(selector)]);
    return response!;
  };

  it('an employee Slack does not know gets the email; a prefetch changes nothing; "No" on the page escalates and closes the links', async () => {
    const email = await withoutSlack('carol', 'Carol Contractor');
    const { handle, alertId, mail, link } = await askedByEmail(email, { channels: ['slack', 'email'] });
    expect(mail.subject).toBe('Security check: did you do this? New admin added to the AWS account');
    expect(link.startsWith(`${botUrl}/answer/`)).toBe(true);
    expect((await eventsOnce(handle, alertId, hasKind('email_sent'))).map((e) => e.kind)).toEqual(
      expect.arrayContaining(['channel_skipped', 'email_sent']),
    );

    // A mail scanner or a link preview opens the link first: it sees the page and changes nothing.
    const before = await kinds(handle, alertId);
    for (let i = 0; i < 2; i++) {
      const res = await fetch(link, { headers: { 'user-agent': 'LinkPreview/1.0' } });
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('New admin added to the AWS account');
      expect(res.headers.getSetCookie().some((k) => k.startsWith('vouch_answer='))).toBe(false);
    }
    expect(await answerLinks(c()).boundBrowser(handle.workflowId, undefined)).toBe('unbound');
    expect((await answerLinks(c()).view(LINK_TOKEN(link), new Date())).state).toBe('open');
    expect(await kinds(handle, alertId)).toEqual(before);
    expect((await state(handle)).phase).toBe('awaiting_response');

    const { page, response, requests, errors } = await openPage(link);
    expect(response.status()).toBe(200);
    const csp = response.headers()['content-security-policy'] ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(await page.evaluate('document.documentElement.lang')).toBe('en');
    expect(await text(page, 'h1')).toBe('Security check: was this you?');
    const body = await text(page, 'main');
    expect(body).toContain('203.0.113.7');
    expect(body).not.toContain('123456789012'); // the sensitive detail
    await screenshotAt(page, DESKTOP, path.join(SCREENSHOTS, 'answer-page-desktop.png'));
    await screenshotAt(page, PHONE, path.join(SCREENSHOTS, 'answer-page-phone.png'));
    expect(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);
    await expect(contrastProblems(page)).resolves.toEqual([]);

    // By keyboard: Tab to "No", its focus visible, Enter answers.
    for (let i = 0; i < 10 && !(await page.evaluate('document.activeElement?.className === "no"')); i++)
      await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement?.className')).toBe('no');
    expect(await page.evaluate('getComputedStyle(document.activeElement).outlineStyle')).toBe('solid');
    const [answered] = await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
    expect(answered!.status()).toBe(200);
    expect(await text(page, 'h1')).toBe('Thank you');
    expect(answered!.headers()['set-cookie']).toMatch(
      /vouch_answer=[A-Za-z0-9_-]{43}; Path=\/answer\/; HttpOnly; SameSite=Strict/,
    );

    const result = await resultWithin(handle, 30_000);
    expect(result.outcome).toBe('denied');
    recordHistory('answer-page-denied-by-email-only-employee', await handle.fetchHistory());
    const events = await kinds(handle, alertId);
    expect(events).toContainEqual(
      expect.objectContaining({
        kind: 'employee_answer',
        answer: 'denied',
        via: 'web',
        actor: `email:${email}`,
      }),
    );
    expect(events).toContainEqual(expect.objectContaining({ kind: 'answer_link_bound' }));
    await h.slack.waitForCall('chat.postMessage', (call) => call.args.channel === SECURITY_CHANNEL);
    await smtp.waitFor((m) => m.inReplyTo === mail.messageId && (m.text ?? '').includes('not you'));

    // Every link of the interview is closed now: the page says so and takes nothing.
    const again = await page.goto(link);
    expect(again!.status()).toBe(410);
    expect(await text(page, 'h1')).toBe('Check finished');
    expect(requests.every((u) => u.startsWith(`${botUrl}/answer/`))).toBe(true);
    expect(errors).toEqual([]);
  });

  it('"Yes" from an employee with no second factor is a plain confirmation, and the policy decides', async () => {
    const email = await withoutSlack('dana');
    const { handle, alertId, link } = await askedByEmail(email, { channels: ['email'] });
    const { page } = await openPage(link);
    await submit(page, 'button.yes');
    expect(await text(page, 'h1')).toBe('Confirm your answer');
    expect(await page.$('#code')).toBeNull();
    await page.type('#justification', 'My first week: setting up the account');
    expect((await submit(page, 'button.yes')).status()).toBe(200);
    expect(await text(page, 'h1')).toBe('Answer recorded');
    expect((await resultWithin(handle, 30_000)).outcome).toBe('not_enrolled');
    expect(await kinds(handle, alertId)).toContainEqual(
      expect.objectContaining({
        kind: 'employee_answer',
        answer: 'confirmed',
        via: 'web',
        actor: `email:${email}`,
      }),
    );
  });

  it('"Someone asked me to do this" on the page reports coercion, here from the code step', async () => {
    const email = await withoutSlack('faye');
    const { handle, alertId, link } = await askedByEmail(email, { channels: ['email'] });
    const { page } = await openPage(link);
    await submit(page, 'button.yes');
    expect((await submit(page, 'button.coerced')).status()).toBe(200);
    expect(await text(page, 'h1')).toBe('Security alerted');
    expect((await resultWithin(handle, 30_000)).outcome).toBe('coercion_reported');
    expect(await kinds(handle, alertId)).toContainEqual(
      expect.objectContaining({ kind: 'employee_answer', answer: 'coerced', via: 'web' }),
    );
  });

  let acceptedCode = '';

  it('"Yes" asks for the TOTP code on the page; a wrong code is refused, the right one ends confirmed_verified', async () => {
    const secret = await enroll(h, ANA.id);
    const { handle, alertId, link } = await askedByEmail(ANA.email, { channels: ['email'] });
    const { page, errors } = await openPage(link);
    expect(await submit(page, 'button.yes').then((r) => r.status())).toBe(200);
    expect(await text(page, 'h1')).toBe('Confirm it is you');
    expect(
      await page.evaluate(
        '[...document.querySelectorAll("input:not([type=hidden]),textarea")].every((e) => e.labels.length > 0)',
      ),
    ).toBe(true);
    await screenshotAt(page, DESKTOP, path.join(SCREENSHOTS, 'answer-page-code-desktop.png'));
    await screenshotAt(page, PHONE, path.join(SCREENSHOTS, 'answer-page-code-phone.png'));

    const wrong = validCode(secret) === '000000' ? '111111' : '000000';
    await page.type('#code', wrong);
    await page.type('#justification', 'Adding the new on-call engineer');
    expect((await submit(page, 'button.yes')).status()).toBe(400);
    expect(await text(page, '#code-error')).toBe('That code was not accepted. 2 attempts left.');
    expect(await page.evaluate('document.querySelector("#code").getAttribute("aria-invalid")')).toBe('true');

    acceptedCode = validCode(secret);
    await page.type('#code', acceptedCode);
    expect((await submit(page, 'button.yes')).status()).toBe(200);
    expect(await text(page, 'h1')).toBe('Verified');

    const result = await resultWithin(handle, 30_000);
    expect(result.outcome).toBe('confirmed_verified');
    recordHistory('answer-page-confirmed-verified', await handle.fetchHistory());
    const attempts = (await kinds(handle, alertId)).filter((e) => e.kind === 'second_factor_attempt');
    expect(attempts).toEqual([
      expect.objectContaining({ result: 'rejected', via: 'web' }),
      expect.objectContaining({ result: 'accepted', via: 'web' }),
    ]);
    expect(await kinds(handle, alertId)).toContainEqual(
      expect.objectContaining({
        kind: 'employee_answer',
        answer: 'confirmed',
        via: 'web',
        actor: ANA.id,
        justification: 'Adding the new on-call engineer',
      }),
    );
    expect(errors).toEqual([]);
  });

  it('a code already used is refused as replayed, in another interview too', async () => {
    expect(acceptedCode).toMatch(/^\d{6}$/);
    const { handle, alertId, link } = await askedByEmail(ANA.email, { channels: ['email'] });
    const { page } = await openPage(link);
    await submit(page, 'button.yes');
    await page.type('#code', acceptedCode);
    expect((await submit(page, 'button.yes')).status()).toBe(400);
    expect(await text(page, '#code-error')).toBe('That code was not accepted. 2 attempts left.');
    const attempts = (await kinds(handle, alertId)).filter((e) => e.kind === 'second_factor_attempt');
    expect(attempts).toEqual([expect.objectContaining({ result: 'replayed', via: 'web' })]);
    expect((await state(handle)).outcome).toBeNull();
    openInterview = { handle, alertId, workflowId: handle.workflowId };
  });

  let openInterview: { handle: Awaited<ReturnType<typeof start>>; alertId: string; workflowId: string };

  it('an expired or unknown link is refused and changes nothing', async () => {
    const { alertId, workflowId } = openInterview;
    const { token } = await answerLinks(c()).create(
      { workflowId, alertId, email: ANA.email, expiresAt: new Date(Date.now() - 1000) },
      new Date(),
    );
    const expired = `${botUrl}/answer/${token}`;
    const { page } = await openPage(expired);
    expect(await text(page, 'h1')).toBe('Link expired');
    expect((await page.goto(expired))!.status()).toBe(410);
    expect(await page.$('form')).toBeNull();
    const before = (await record(alertId)).transcript.length;
    const posted = await fetch(expired, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'action=no&csrf=x',
    });
    expect(posted.status).toBe(410);
    expect((await page.goto(`${botUrl}/answer/${'A'.repeat(43)}`))!.status()).toBe(404);
    expect(await text(page, 'h1')).toBe('Link not valid');
    expect((await record(alertId)).transcript.length).toBe(before);
    expect((await state(openInterview.handle)).phase).toBe('awaiting_second_factor');
  });

  it('a second browser cannot answer with a link bound to the first', async () => {
    const { handle, alertId, link } = await askedByEmail(BOB.email, { channels: ['email'] });
    const first = await openPage(link);
    await submit(first.page, 'button.yes'); // binds the interview's links to this browser

    const other = await (await chromium.newContext()).newPage();
    await openPage(link, DESKTOP, other);
    expect(await text(other, 'h1')).toBe('Security check: was this you?'); // reading is harmless
    const refused = await submit(other, 'button.no');
    expect(refused.status()).toBe(403);
    expect(await text(other, 'h1')).toBe('Answered in another browser');
    expect(await kinds(handle, alertId)).toContainEqual(
      expect.objectContaining({ kind: 'answer_link_refused', reason: 'other_browser' }),
    );
    expect((await kinds(handle, alertId)).some((e) => e.kind === 'employee_answer')).toBe(false);
    // A forged form (no CSRF token) is refused too.
    const forged = await fetch(link, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'action=no',
    });
    expect(forged.status).toBe(403);
    expect((await state(handle)).phase).toBe('awaiting_response');

    // The first browser still can.
    await first.page.goto(link);
    expect((await submit(first.page, 'button.no')).status()).toBe(200);
    expect((await resultWithin(handle, 30_000)).outcome).toBe('denied');
  });

  it('with channels [slack, email], no answer in Slack by the first reminder sends the email too; "No" on its page escalates', async () => {
    const type = uniqueName('type');
    await setPolicy(h, type, { channels: ['slack', 'email'], reminders: ['2s'], deadline: '30m' });
    const alert = alertFor({ email: BOB.email }, { type });
    const handle = await start(h, alert);
    const mail = await askMail(handle.workflowId);
    // The Slack DM came first, then at the reminder both the Slack reminder and the email.
    const events = await eventsOnce(handle, alert.id, hasKind('email_sent'));
    expect(events.map((e) => e.kind)).toEqual(expect.arrayContaining(['dm_sent', 'reminder', 'email_sent']));
    expect(events).toContainEqual(
      expect.objectContaining({ kind: 'email_sent', fallback: 'no_answer_by_first_reminder' }),
    );
    const link = LINK.exec(mail.text ?? '')![1]!;
    const { page } = await openPage(link, PHONE);
    expect((await submit(page, 'button.no')).status()).toBe(200);
    expect(await text(page, 'h1')).toBe('Thank you');
    await screenshotAt(page, PHONE, path.join(SCREENSHOTS, 'answer-page-denied-phone.png'));
    const result = await resultWithin(handle, 30_000);
    expect(result.outcome).toBe('denied');
    recordHistory('channels-email-at-first-reminder-denied-on-page', await handle.fetchHistory());
    // Told in both places: the DM loses its buttons, the email thread gets the outcome.
    await h.slack.waitForCall('chat.update', (call) => JSON.stringify(call.args).includes('not you'));
    await smtp.waitFor((m) => m.inReplyTo === mail.messageId && (m.text ?? '').includes('not you'));
    expect((await answerLinks(c()).view(LINK_TOKEN(link), new Date())).state).toBe('closed');
  });

  it("speaks the employee's language: German for a German Slack locale", async () => {
    await employeeCache(c()).saveLocale(ANA.id, 'de-DE', new Date());
    const { handle, link } = await askedByEmail(ANA.email, { channels: ['email'] });
    const { page } = await openPage(link, PHONE);
    expect(await page.evaluate('document.documentElement.lang')).toBe('de');
    expect(await text(page, 'h1')).toBe('Sicherheitsprüfung: Warst du das?');
    expect(await text(page, 'button.no')).toBe('Nein, das war ich nicht');
    await screenshotAt(page, PHONE, path.join(SCREENSHOTS, 'answer-page-german-phone.png'));
    expect((await submit(page, 'button.no')).status()).toBe(200);
    expect(await text(page, 'h1')).toBe('Danke');
    expect((await resultWithin(handle, 30_000)).outcome).toBe('denied');
  });
});

const LINK_TOKEN = (link: string) => link.slice(link.lastIndexOf('/') + 1);
