import nodemailer from 'nodemailer';
import { ApplicationFailure } from '@temporalio/common';
import { threadMessageId } from '../../activities/channels/email';
import { directoryEntrySchema } from '../../shared/directory-entry';
import { answerLinks } from '../../store/answer-links';
import { collections } from '../../store/collections';
import { directoryStore } from '../../store/directory';
import {
  ANA,
  alertFor,
  createHarness,
  resultWithin,
  setPolicy,
  start,
  state,
  type Harness,
} from '../helpers/interview-harness';
import { uniqueName } from '../helpers/servers';
import { recordHistory } from '../helpers/history';
import { startSmtpServer } from '../helpers/smtp-server';

const PUBLIC_URL = 'http://localhost:3999';
const FROM = 'Vouch <vouch@example.com>';
const LINK = /http:\/\/localhost:3999\/answer\/([A-Za-z0-9_-]{43})/;

/** The email channel: an employee Slack does not know is asked by email, through a real SMTP server. */
describe('asking by email', () => {
  let h: Harness;
  let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
  beforeAll(async () => {
    smtp = await startSmtpServer();
    h = await createHarness({
      timeSkipping: true,
      overridable: true,
      activityDeps: {
        mail: {
          transport: nodemailer.createTransport(smtp.url),
          from: FROM,
          publicUrl: PUBLIC_URL,
        },
      },
    });
  });
  afterAll(async () => {
    await h?.teardown();
    await smtp?.close();
  });

  it('falls back from Slack to email when Slack does not know the employee: the link, a reminder in the thread, the outcome, the links closed', async () => {
    const email = `${uniqueName('carol')}@example.com`.toLowerCase();
    await directoryStore(collections(h.mongo.db)).set(
      directoryEntrySchema.parse({ email, name: 'Carol Contractor' }),
      'test',
    );
    const type = uniqueName('type');
    await setPolicy(h, type, { channels: ['slack', 'email'], reminders: ['15m'], deadline: '1h' });
    const handle = await start(h, alertFor({ email }, { type }));

    const asked = await smtp.waitFor((m) => m.to !== undefined && JSON.stringify(m.to).includes(email));
    expect(asked.subject).toBe('Security check: did you do this? New admin added to the AWS account');
    expect(asked.text).toContain('Hi Carol Contractor,');
    expect(asked.text).toContain('203.0.113.7');
    // The sensitive detail stays out of email, as out of Slack.
    expect(asked.text).not.toContain('123456789012');
    expect(asked.html).toContain('203.0.113.7');
    const token = LINK.exec(asked.text ?? '')?.[1];
    expect(token).toBeDefined();
    const links = answerLinks(collections(h.mongo.db));
    expect((await links.view(token!, new Date())).state).toBe('open');
    // Only the hash of the token is stored.
    expect(JSON.stringify(await collections(h.mongo.db).answerLinks.find({}).toArray())).not.toContain(token);

    // Time moves (the test server skips it) while the test waits for the result.
    const result = await resultWithin(handle, 60_000);
    expect(result.outcome).toBe('no_response');
    recordHistory('channels-email-fallback-no-response', await handle.fetchHistory());
    const reminder = await smtp.waitFor((m) => m.inReplyTo === asked.messageId);
    expect(reminder.subject).toBe(`Re: ${asked.subject}`);
    expect(reminder.text).toMatch(/^Reminder 1: /);
    const reminderToken = LINK.exec(reminder.text ?? '')?.[1];
    expect(reminderToken).toBeDefined();
    expect(reminderToken).not.toBe(token);

    const told = await smtp.waitFor(
      (m) => m.inReplyTo === asked.messageId && (m.text ?? '').includes('expired without an answer'),
    );
    expect(told.text).toContain('The link in this thread no longer works.');
    expect((await links.view(token!, new Date())).state).toBe('closed');
    expect((await links.view(reminderToken!, new Date())).state).toBe('closed');

    const kinds = (await state(handle)).transcript.map((e) => e.kind);
    expect(kinds).toEqual(expect.arrayContaining(['channel_skipped', 'email_sent', 'reminder']));
    expect(kinds).not.toContain('dm_sent');
    const skipped = (await state(handle)).transcript.find((e) => e.kind === 'channel_skipped');
    expect(skipped).toMatchObject({ channel: 'slack', reason: 'not_reachable' });
    // Nobody was DMed in Slack: the employee has no Slack user.
    expect(h.slack.callsTo('chat.postMessage').filter((c) => String(c.args.channel).startsWith('D'))).toEqual(
      [],
    );
  }, 180_000);

  it('with channels [slack, email], no answer in Slack by the first reminder also asks by email; later reminders and the outcome go to both', async () => {
    const type = uniqueName('type');
    await setPolicy(h, type, { channels: ['slack', 'email'], reminders: ['15m', '30m'], deadline: '1h' });
    const handle = await start(h, alertFor({ email: ANA.email }, { type }));
    const result = await resultWithin(handle, 60_000);
    expect(result.outcome).toBe('no_response');
    recordHistory('channels-email-at-first-reminder-no-response', await handle.fetchHistory());

    const transcript = (await state(handle)).transcript;
    const kinds = transcript.map((e) => e.kind);
    // The DM, reminder 1 in Slack and then the email, reminder 2 in both.
    expect(kinds.slice(kinds.indexOf('dm_sent'), kinds.indexOf('deadline'))).toEqual([
      'dm_sent',
      'reminder',
      'email_sent',
      'reminder',
    ]);
    expect(transcript.find((e) => e.kind === 'email_sent')).toMatchObject({
      fallback: 'no_answer_by_first_reminder',
    });
    const asked = await smtp.waitFor((m) => m.messageId === threadMessageId(handle.workflowId, 'ask', FROM));
    expect(JSON.stringify(asked.to)).toContain(ANA.email);
    const token = LINK.exec(asked.text ?? '')?.[1];
    const reminder = await smtp.waitFor(
      (m) => m.inReplyTo === asked.messageId && /^Reminder 2: /.test(m.text ?? ''),
    );
    expect(reminder.subject).toBe(`Re: ${asked.subject}`);
    await smtp.waitFor(
      (m) => m.inReplyTo === asked.messageId && (m.text ?? '').includes('expired without an answer'),
    );
    const slackReminders = h.slack
      .callsTo('chat.postMessage')
      .filter((c) => c.args.thread_ts !== undefined && JSON.stringify(c.args).includes('Reminder'));
    expect(slackReminders.length).toBeGreaterThanOrEqual(2);
    expect((await answerLinks(collections(h.mongo.db)).view(token!, new Date())).state).toBe('closed');
  }, 180_000);

  it('an interview that fails closed closes its answer links', async () => {
    const email = `${uniqueName('erin')}@example.com`.toLowerCase();
    await directoryStore(collections(h.mongo.db)).set(directoryEntrySchema.parse({ email }), 'test');
    const type = uniqueName('type');
    await setPolicy(h, type, { channels: ['email'], reminders: ['15m'], deadline: '1h' });
    h.overrides.remindEmployeeVia = async () => {
      throw ApplicationFailure.nonRetryable('a step that fails for good', 'Broken');
    };
    try {
      const handle = await start(h, alertFor({ email }, { type }));
      const asked = await smtp.waitFor(
        (m) => m.messageId === threadMessageId(handle.workflowId, 'ask', FROM),
      );
      const token = LINK.exec(asked.text ?? '')?.[1];
      expect((await resultWithin(handle, 60_000)).outcome).toBe('failed_closed');
      expect((await answerLinks(collections(h.mongo.db)).view(token!, new Date())).state).toBe('closed');
    } finally {
      delete h.overrides.remindEmployeeVia;
    }
  }, 120_000);

  it('a policy that names no channels still finds only employees Slack knows', async () => {
    const email = `${uniqueName('dave')}@example.com`.toLowerCase();
    await directoryStore(collections(h.mongo.db)).set(directoryEntrySchema.parse({ email }), 'test');
    const type = uniqueName('type');
    await setPolicy(h, type, { reminders: [], deadline: '1h' });
    const handle = await start(h, alertFor({ email }, { type }));
    expect((await resultWithin(handle, 60_000)).outcome).toBe('unknown_employee');
    expect(smtp.received.some((m) => JSON.stringify(m.to).includes(email))).toBe(false);
  }, 120_000);
});
