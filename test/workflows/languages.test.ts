import { randomUUID } from 'node:crypto';
import { codeAt } from '../../lib/totp';
import { directoryEntrySchema } from '../../shared/directory-entry';
import { collections } from '../../store/collections';
import { directoryStore } from '../../store/directory';
import { startBot } from '../helpers/bot-under-test';
import { recordHistory } from '../helpers/history';
import {
  BOB,
  alertFor,
  createDevServerHarness,
  dmSent,
  enroll,
  resultWithin,
  setPolicy,
  start,
  type Harness,
} from '../helpers/interview-harness';
import {
  buttonClick,
  codeSubmission,
  postInteraction,
  postSlashCommand,
  snoozeSubmission,
} from '../helpers/slack-requests';

/**
 * What the employee sees, in their language, through the real bot and workflow: Slack's stand-in
 * gives Jonas the locale `de-DE` (only when asked with include_locale, as Slack does), and his DM,
 * its reminder, the modal, its answers and the outcome note are German; his manager Lena (`de-AT`)
 * is asked in German too. Bob's `fr-FR` has no catalogue: he reads English, with the policy's English words.
 */
const SECRET = 'test-signing-secret-languages-1';
const JONAS = {
  id: 'UJONAS003',
  email: 'jonas@example.com',
  name: 'Jonas Weber',
  tz: 'Europe/Berlin',
  locale: 'de-DE',
};
const LENA = {
  id: 'ULENA0004',
  email: 'lena@example.com',
  name: 'Lena Graf',
  tz: 'Europe/Vienna',
  locale: 'de-AT',
};
const INTRO = {
  en: 'Hello {{employee}}, we saw *{{title}}*. Was it you?',
  de: 'Hallo {{employee}}, wir haben *{{title}}* bemerkt. Warst du das?',
};

describe('messages in the employee’s language', () => {
  let h: Harness;
  let bot: { url: string; app: { stop: () => Promise<unknown> } };
  let jonasSecret: string;
  beforeAll(async () => {
    h = await createDevServerHarness();
    h.slack
      .addUser(JONAS)
      .addUser(LENA)
      .addUser({ ...BOB, locale: 'fr-FR' });
    bot = await startBot(h, h.client, { signingSecret: SECRET });
    jonasSecret = await enroll(h, JONAS.id);
  });
  afterAll(async () => {
    await bot?.app.stop();
    await h?.teardown();
  });

  const send = (payload: unknown) => postInteraction(bot.url, SECRET, payload);
  const textOf = (value: unknown) => JSON.stringify(value);

  it('a de-DE employee reads the DM, the reminder, the modal and the outcome note in German', async () => {
    await setPolicy(h, 'lang.de', {
      reminders: ['1s'],
      deadline: '10m',
      messages: { intro: INTRO },
      suppression: { window: '0s' },
      snooze: { max: '7d' },
    });
    const title = `Neuer Admin ${randomUUID()}`;
    const handle = await start(h, alertFor(JONAS, { type: 'lang.de', title }));

    const dm = await dmSent(h, handle);
    const blocks = textOf(dm.args.blocks);
    expect(blocks).toContain('Hallo Jonas Weber, wir haben *');
    for (const german of ['Ja, das war ich', 'Nein, das war ich nicht', 'Jemand hat mich darum gebeten'])
      expect(blocks).toContain(german);
    expect(blocks).toContain('Schweregrad: hoch');
    expect(blocks).toContain('Als „nicht ich“ melden?');
    expect(blocks).not.toMatch(/Yes, that was me|Severity/);
    expect(String(dm.args.text)).toMatch(/^Sicherheitsprüfung: Warst du das\?/);
    // The email-addressed alert resolved Jonas by lookupByEmail; his locale came from users.info.
    expect(
      h.slack
        .callsTo('users.info')
        .some((c) => c.args.user === JONAS.id && String(c.args.include_locale) === 'true'),
    ).toBe(true);
    const profile = await collections(h.mongo.db).employees.findOne({ _id: JONAS.id });
    expect(profile?.locale).toBe('de-DE');

    const reminder = await h.slack.waitForCall(
      'chat.postMessage',
      (c) => c.args.channel === dm.args.channel && c.args.thread_ts !== undefined,
    );
    expect(String(reminder.args.text)).toMatch(/^Erinnerung: Bitte beantworte die Sicherheitsprüfung zu „/);

    // "Ja": the bot opens the modal in German without asking Slack again.
    const infoCalls = h.slack.callsTo('users.info').length;
    await send(buttonClick(JONAS.id, 'vouch_confirm', handle.workflowId, String(dm.args.channel)));
    const modal = await h.slack.waitForCall('views.open', (c) =>
      textOf(c.args.view).includes(handle.workflowId),
    );
    const view = textOf(modal.args.view);
    for (const german of [
      'Bestätige, dass du es warst',
      'Code aus deiner Authenticator-App',
      'Gib diesen Code niemals an andere weiter.',
      'Jemand bittet mich gerade darum',
      'Abbrechen',
    ])
      expect(view).toContain(german);
    expect(h.slack.callsTo('users.info')).toHaveLength(infoCalls);

    const viewId = `VDE${randomUUID().slice(0, 6)}`;
    const malformed = await send(codeSubmission(JONAS.id, handle.workflowId, '12ab', viewId));
    expect(textOf(malformed.json())).toContain('Gib die 6 Ziffern ein');
    const wrong = await send(codeSubmission(JONAS.id, handle.workflowId, '000000', viewId));
    expect(textOf(wrong.json())).toMatch(/Dieser Code hat nicht funktioniert\. Noch 2 Versuche\./);
    const right = await send(
      codeSubmission(JONAS.id, handle.workflowId, codeAt(jonasSecret, Date.now()), viewId),
    );
    expect(textOf(right.json())).toContain('Bestätigt. Danke, sonst ist nichts zu tun.');

    const note = await h.slack.waitForCall(
      'chat.update',
      (c) => c.args.channel === dm.args.channel && textOf(c.args.blocks).includes(title),
    );
    const noteText = textOf(note.args.blocks);
    expect(noteText).toContain('Danke, du hast das bestätigt und nachgewiesen, dass du es warst.');
    expect(noteText).toContain('Ähnliche Warnungen stummschalten…');
    expect(noteText).not.toContain('Thanks, you confirmed');

    // The snooze modal speaks German too, its lengths included.
    await send(buttonClick(JONAS.id, 'vouch_snooze', handle.workflowId, String(dm.args.channel)));
    const snooze = await h.slack.waitForCall(
      'views.open',
      (c) => c.args.view !== undefined && textOf(c.args.view).includes('Warnungen stummschalten'),
    );
    expect(textOf(snooze.args.view)).toContain('"text":"1 Tag"');
    const snoozeView = `VSNZ${randomUUID().slice(0, 6)}`;
    await send(snoozeSubmission(JONAS.id, handle.workflowId, '1d', '', snoozeView));
    await h.slack.waitForCall(
      'views.update',
      (c) =>
        c.args.view_id === snoozeView &&
        textOf(c.args.view).includes('Erledigt. Warnungen wie diese bleiben'),
    );
    expect((await resultWithin(handle)).outcome).toBe('confirmed_verified');

    // `/vouch status` and help answer him in German as well.
    const status = (await postSlashCommand(bot.url, SECRET, JONAS.id, '/vouch', 'status')).json();
    expect(status.text).toContain('Du hast keine offenen Prüfungen.');
    expect(status.text).toMatch(new RegExp(`\\*${title}\\* \\(.*\\): bestätigt und nachgewiesen`));
    const help = (await postSlashCommand(bot.url, SECRET, JONAS.id, '/vouch', 'hilfe')).json();
    expect(help.text).toMatch(/^`hilfe` kenne ich nicht\.\n\*Vouch\* bittet dich/);
    recordHistory('german-employee-verified', await handle.fetchHistory());
  });

  it('a locale without a catalogue reads English, with the policy’s English words', async () => {
    await setPolicy(h, 'lang.fr', { reminders: [], deadline: '10m', messages: { intro: INTRO } });
    const handle = await start(h, alertFor(BOB, { type: 'lang.fr' }));
    const dm = await dmSent(h, handle);
    const blocks = textOf(dm.args.blocks);
    expect(blocks).toContain('Hello Bob Stone, we saw *');
    expect(blocks).toContain('Yes, that was me');
    expect(blocks).not.toContain('Ja, das war ich');
    await send(buttonClick(BOB.id, 'vouch_deny', handle.workflowId, String(dm.args.channel)));
    await h.slack.waitForCall(
      'chat.postEphemeral',
      (c) => c.args.user === BOB.id && String(c.args.text).includes('Thanks for telling us'),
    );
    expect((await resultWithin(handle)).outcome).toBe('denied');
  });

  it('the manager is asked in their own language, and the bot answers them in it', async () => {
    const directory = directoryStore(collections(h.mongo.db));
    await directory.set(directoryEntrySchema.parse({ email: LENA.email, slackUserId: LENA.id }), 'test');
    await directory.set(
      directoryEntrySchema.parse({ email: JONAS.email, slackUserId: JONAS.id, manager: LENA.email }),
      'test',
    );
    await setPolicy(h, 'lang.ladder', {
      reminders: [],
      deadline: '2s',
      ladder: [{ ask: 'manager', wait: '30s' }, { escalate: 'security' }],
    });
    const handle = await start(h, alertFor(JONAS, { type: 'lang.ladder' }));
    const question = await h.slack.waitForCall(
      'chat.postMessage',
      (c) => c.args.channel === `D${LENA.id.slice(1)}` && textOf(c.args.blocks).includes(handle.workflowId),
    );
    const asked = textOf(question.args.blocks);
    expect(asked).toContain('Weißt du davon?');
    expect(asked).toContain('Ich weiß davon');
    expect(asked).toContain('Kann ich nicht sagen');
    await send(buttonClick(LENA.id, 'vouch_manager_knows', handle.workflowId, String(question.args.channel)));
    await h.slack.waitForCall(
      'chat.postEphemeral',
      (c) => c.args.user === LENA.id && c.args.text === 'Danke, deine Antwort ist festgehalten.',
    );
    const closed = await h.slack.waitForCall('chat.update', (c) => c.args.channel === question.args.channel);
    expect(textOf(closed.args.blocks)).toContain('Danke, festgehalten: „Ich weiß davon“.');
    await resultWithin(handle);
  });
});
