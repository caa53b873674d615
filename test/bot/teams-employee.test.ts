import type http from 'node:http';
import { botDeps } from '../../bot/create-bot';
import { createPagesServer } from '../../bot/pages-server';
import { teamsEnrollmentNoticesFor } from '../../bot/teams/enrollment-actions';
import { freePort } from '../../infra/processes';
import { loadConfig } from '../../lib/config';
import { createLogger } from '../../lib/logger';
import { directoryEntrySchema } from '../../shared/directory-entry';
import { emailKey } from '../../shared/employee-key';
import { alertStore } from '../../store/alerts';
import { answerLinks } from '../../store/answer-links';
import { collections } from '../../store/collections';
import { directoryStore } from '../../store/directory';
import { type TestBrowser, chromiumMissing, launchBrowser } from '../helpers/browser';
import { recordHistory } from '../helpers/history';
import {
  alertFor,
  enroll,
  resultWithin,
  setPolicy,
  start,
  state,
  validCode,
  whileBusy,
} from '../helpers/interview-harness';
import { uniqueName } from '../helpers/servers';
import { CAROL_OID, MALLORY_OID, OPS, type TeamsHarness, startTeamsHarness } from '../helpers/teams-harness';
import type { ConnectorActivity } from '../helpers/teams-stand-in';
import { addVirtualAuthenticator, registerPasskeyIn } from '../helpers/virtual-passkey';

const DIETER = {
  email: 'dieter@example.com',
  name: 'Dieter Deutsch',
  aadObjectId: 'd1e7e4a0-0b1c-4d2e-8f3a-4b5c6d7e8f90',
};
const ERIN = { email: 'erin@example.com', aadObjectId: 'e4a1b2c3-d4e5-4f60-8172-839405a6b7c8' };

/**
 * The employee's side of a Teams interview, as Slack's: "Someone asked me to do this" on the card and in
 * the code dialog, the passkey through the answer page from the dialog, and every word in the
 * employee's language. All real: the workflow and worker on Temporal, the Teams endpoint fed signed
 * activities, the Bot Connector stand-in, and (for the passkey) the answer page in Chromium.
 */
describe('the employee in Microsoft Teams', () => {
  let th: TeamsHarness;
  /**
   * The bot's answer page as an organisation without Slack serves it, on `localhost` (browsers refuse
   * passkeys on an IP address).
   */
  let pages: http.Server;
  let pagesUrl: string;

  beforeAll(async () => {
    const port = await freePort();
    pagesUrl = `http://localhost:${port}`;
    th = await startTeamsHarness({ publicUrl: pagesUrl });
    const config = loadConfig({
      VOUCH_ENCRYPTION_KEY: th.h.key.toString('base64'),
      BOT_PORT: String(port),
      VOUCH_PUBLIC_URL: pagesUrl,
    });
    const logger = createLogger('teams-pages-test', 'silent');
    pages = createPagesServer(botDeps(config, logger, th.h.client, th.h.mongo.db), [
      teamsEnrollmentNoticesFor(th.config),
    ]);
    await new Promise<void>((r) => pages.listen(port, r));
    const directory = directoryStore(collections(th.h.mongo.db));
    for (const entry of [DIETER, ERIN])
      await whileBusy(() => directory.set(directoryEntrySchema.parse(entry), 'test'));
  }, 120_000);

  afterAll(async () => {
    await new Promise((r) => (pages ? pages.close(r) : r(undefined)));
    await th?.stop();
  });

  const c = () => collections(th.h.mongo.db);
  /** An interview of `email` in Teams only. */
  async function askedInTeams(email: string, policy: Record<string, unknown> = {}) {
    const type = uniqueName('type');
    await setPolicy(th.h, type, { channels: ['teams'], reminders: [], deadline: '1h', ...policy });
    const handle = await start(th.h, alertFor({ email }, { type }));
    return { handle, card: await th.cardFor(handle.workflowId) };
  }
  const repliesTo = (card: ConnectorActivity) =>
    th.teams.activities.filter((a) => a.conversationId === card.conversationId && a.replyToId !== undefined);
  const waitForReply = (card: ConnectorActivity, text: RegExp) =>
    th.teams.waitFor(() => repliesTo(card).some((a) => text.test(String(a.body.text))));
  const transcriptKinds = async (handle: Awaited<ReturnType<typeof start>>) =>
    (await state(handle)).transcript.map((e) => e.kind);
  /** The "Tell security" button inside the card's "Someone asked me to do this" (an Action.ShowCard). */
  const coercedButton = (card: ConnectorActivity) => {
    const actions = (card.body.attachments as { content: { actions: Record<string, unknown>[] } }[])[0]!
      .content.actions;
    const shown = actions.find((a) => a.type === 'Action.ShowCard') as
      { title: string; card: { actions: { data: Record<string, unknown>; title: string }[] } } | undefined;
    return { title: shown?.title, inner: shown?.card.actions[0] };
  };

  /** The buttons of the dialog a `task/fetch` (or a re-shown dialog) answers with. */
  const dialogActions = (body: unknown) =>
    (body as { task: { value: { card: { content: { actions: Record<string, unknown>[] } } } } }).task.value
      .card.content.actions;

  it('"Someone asked me to do this" on the card escalates at once; another user\'s is refused', async () => {
    const { handle, card } = await askedInTeams('carol@example.com');
    expect(th.cardText(card.body)).toContain('did you do this?'); // no locale seen for Carol: English
    const button = coercedButton(card);
    expect(button.title).toBe('Someone asked me to do this');
    expect(button.inner).toMatchObject({
      title: 'Tell security',
      data: { vouch: 'coerced', workflowId: handle.workflowId },
    });

    // Mallory's genuine token, on the card and in a dialog: not her alert.
    expect((await th.signedPost(th.press(MALLORY_OID, card, 'coerced', handle.workflowId))).status).toBe(200);
    await waitForReply(card, /isn't your alert/);
    const fromDialog = await th.signedPost(
      th.invoke(MALLORY_OID, card, 'task/submit', { vouch: 'coerced', workflowId: handle.workflowId }),
    );
    expect(fromDialog.body).toEqual({
      task: { type: 'message', value: "This isn't your alert, so you can't answer it." },
    });
    expect((await state(handle)).phase).toBe('awaiting_response');
    expect(await transcriptKinds(handle)).not.toContain('employee_answer');
    const audit = await alertStore(c()).auditOf(handle.workflowId.replace(/^alert-/, ''));
    expect(audit).toEqual([
      expect.objectContaining({
        kind: 'unauthorized_click',
        actor: `aad:${MALLORY_OID}`,
        button: 'teams_coerced',
      }),
      expect.objectContaining({
        kind: 'unauthorized_click',
        actor: `aad:${MALLORY_OID}`,
        button: 'teams_coerced',
      }),
    ]);

    const press = th.press(CAROL_OID, card, 'coerced', handle.workflowId);
    expect((await th.signedPost(press)).status).toBe(200);
    expect((await th.signedPost(press)).status).toBe(200); // Teams redelivers: applied once
    await waitForReply(card, /security team has been alerted as a priority/);
    expect((await resultWithin(handle)).outcome).toBe('coercion_reported');
    recordHistory('teams-coerced-from-card', await handle.fetchHistory());
    const answers = (await state(handle)).transcript.filter((e) => e.kind === 'employee_answer');
    expect(answers).toEqual([expect.objectContaining({ answer: 'coerced', actor: `aad:${CAROL_OID}` })]);
    // The card, updated: what to do now, that the security team will write here in Teams; no buttons.
    await th.teams.waitFor(() => card.versions.length === 2);
    const updated = th.cardText(card.versions.at(-1));
    expect(updated).toContain('End the call or chat with whoever asked you.');
    expect(updated).toContain('here in Teams');
    expect(updated).not.toContain('Slack');
    expect(updated).not.toMatch(/Action\.(Submit|ShowCard)/);
    const escalation = th.teams
      .activitiesIn(OPS)
      .find((a) => th.cardText(a.body).includes(handle.workflowId.replace(/^alert-/, '')));
    expect(th.cardText(escalation?.body)).toContain('Escalated: coercion reported');
  }, 120_000);

  it('"Someone is asking me" in the code dialog, after a wrong code, escalates and the dialog says what to do', async () => {
    const secret = await enroll(th.h, emailKey('carol@example.com'));
    const { handle, card } = await askedInTeams('carol@example.com');
    const opened = await th.signedPost(
      th.invoke(CAROL_OID, card, 'task/fetch', { vouch: 'confirm', workflowId: handle.workflowId }),
    );
    const dialog = th.cardText(opened.body);
    expect(dialog).toContain('"id":"code"');
    expect(dialog).toContain('Someone is asking me to do this right now');
    // Its button sends no code, so the required code field cannot hold it back.
    expect(dialogActions(opened.body)).toContainEqual(
      expect.objectContaining({
        type: 'Action.Submit',
        associatedInputs: 'none',
        data: { vouch: 'coerced', workflowId: handle.workflowId },
      }),
    );
    expect(dialog).not.toContain('Action.OpenUrl'); // no passkey: no answer-page link
    const wrong = String((Number(validCode(secret)) + 1) % 1_000_000).padStart(6, '0');
    const submitted = await th.signedPost(
      th.invoke(CAROL_OID, card, 'task/submit', {
        vouch: 'submit_code',
        workflowId: handle.workflowId,
        code: wrong,
      }),
    );
    expect(th.cardText(submitted.body)).toContain("That code didn't work. 2 attempts left.");
    expect((await state(handle)).phase).toBe('awaiting_second_factor');

    const told = await th.signedPost(
      th.invoke(CAROL_OID, card, 'task/submit', { vouch: 'coerced', workflowId: handle.workflowId }),
    );
    expect(told.body).toMatchObject({ task: { type: 'message' } });
    expect(th.cardText(told.body)).toMatch(/End the call or chat.*share no codes.*here in Teams/);
    expect((await resultWithin(handle)).outcome).toBe('coercion_reported');
    recordHistory('teams-coerced-from-dialog-after-yes', await handle.fetchHistory());
    const answers = (await state(handle)).transcript.filter((e) => e.kind === 'employee_answer');
    expect(answers.map((e) => (e as { answer?: string }).answer)).toEqual(['confirmed', 'coerced']);
  }, 120_000);

  it('after a de-DE activity the card, reminder, dialog, replies and outcome are German', async () => {
    // Installing the app (a conversationUpdate) carries the user's locale; kept once however often seen.
    const installed = (conversation: string) =>
      th.activity(DIETER.aadObjectId, conversation, {
        type: 'conversationUpdate',
        locale: 'de-DE',
        membersAdded: [{ id: `28:${th.config.appId}` }],
      });
    expect((await th.signedPost(installed('a:install-1'))).status).toBe(200);
    expect((await th.signedPost(installed('a:install-2'))).status).toBe(200);
    expect(
      await c()
        .employees.find({ _id: `aad:${DIETER.aadObjectId}` })
        .toArray(),
    ).toEqual([expect.objectContaining({ locale: 'de-DE' })]);

    const secret = await enroll(th.h, emailKey(DIETER.email));
    const { handle, card } = await askedInTeams(DIETER.email, { reminders: ['2s'] });
    const shown = th.cardText(card.body);
    expect(shown).toContain('Hallo Dieter Deutsch, warst du das? Sicherheitsprüfung von Vouch');
    expect(shown).toContain('Schweregrad: hoch');
    expect(shown).toContain('Bitte antworte bis');
    expect(shown).toContain('"title":"Ja, das war ich"');
    expect(shown).toContain('"title":"Nein, das war ich nicht"');
    expect(coercedButton(card)).toMatchObject({
      title: 'Jemand hat mich darum gebeten',
      inner: { title: 'Sicherheitsteam informieren' },
    });
    expect(shown).not.toMatch(/did you do this|Severity|Yes, that was me/);
    await waitForReply(card, /^Erinnerung: Bitte beantworte die Sicherheitsprüfung zu „New admin added/);

    const german = { locale: 'de-DE' };
    const opened = await th.signedPost(
      th.invoke(
        DIETER.aadObjectId,
        card,
        'task/fetch',
        { vouch: 'confirm', workflowId: handle.workflowId },
        german,
      ),
    );
    const dialog = th.cardText(opened.body);
    expect(dialog).toContain('"title":"Bestätige, dass du es warst"');
    expect(dialog).toContain('Code aus deiner Authenticator-App');
    expect(dialog).toContain('"title":"Prüfen"');
    expect(dialog).toContain('Jemand bittet mich gerade darum');
    expect(dialog).not.toMatch(/authenticator app|Verify/);
    const submit = (code: string) =>
      th.signedPost(
        th.invoke(
          DIETER.aadObjectId,
          card,
          'task/submit',
          { vouch: 'submit_code', workflowId: handle.workflowId, code },
          german,
        ),
      );
    const wrong = String((Number(validCode(secret)) + 1) % 1_000_000).padStart(6, '0');
    expect(th.cardText((await submit(wrong)).body)).toContain(
      'Dieser Code hat nicht funktioniert. Noch 2 Versuche.',
    );
    // "No" after "Yes": refused, in German.
    await th.signedPost(th.press(DIETER.aadObjectId, card, 'deny', handle.workflowId, german));
    await waitForReply(card, /^Du hast diese Prüfung schon beantwortet/);
    expect((await submit(validCode(secret))).body).toEqual({
      task: { type: 'message', value: 'Bestätigt: Danke, sonst ist nichts zu tun.' },
    });
    expect((await resultWithin(handle)).outcome).toBe('confirmed_verified');
    await th.teams.waitFor(() => card.versions.length === 2);
    const updated = th.cardText(card.versions.at(-1));
    expect(updated).toContain('Danke, du hast das bestätigt und nachgewiesen, dass du es warst.');
    expect(updated).not.toContain(':white_check_mark:');

    // Teams switched to English: what the activity says wins, and is kept from now on.
    await th.signedPost(th.press(DIETER.aadObjectId, card, 'deny', handle.workflowId, { locale: 'en-GB' }));
    await waitForReply(card, /^This check is already finished/);
    expect(await c().employees.findOne({ _id: `aad:${DIETER.aadObjectId}` })).toMatchObject({
      locale: 'en-GB',
    });
  }, 120_000);

  (chromiumMissing ? it.skip : it)(
    "a Teams-only employee with a passkey verifies through the dialog's link, in Chromium",
    async () => {
      let chromium: TestBrowser | undefined;
      try {
        chromium = await launchBrowser();
        const page = await chromium.newPage();
        await addVirtualAuthenticator(page);
        await registerPasskeyIn(page, pagesUrl, c(), emailKey(ERIN.email));
        const { handle, card } = await askedInTeams(ERIN.email);

        const opened = await th.signedPost(
          th.invoke(ERIN.aadObjectId, card, 'task/fetch', {
            vouch: 'confirm',
            workflowId: handle.workflowId,
          }),
        );
        const dialog = th.cardText(opened.body);
        // A passkey and no TOTP factor: the link is all the dialog asks for.
        expect(dialog).not.toContain('"id":"code"');
        const offer = dialogActions(opened.body).find((a) => a.type === 'Action.OpenUrl');
        expect(offer).toMatchObject({ title: 'Verify with a passkey' });
        const [url, token] = /^http:\/\/localhost:\d+\/answer\/([\w-]{43})$/.exec(String(offer?.url)) ?? [];
        expect(await answerLinks(c()).view(token!, new Date())).toMatchObject({
          state: 'open',
          link: { workflowId: handle.workflowId, employee: emailKey(ERIN.email), source: 'teams_dialog' },
        });

        // The page opens at the passkey step: "Yes" was pressed in Teams.
        await page.bringToFront();
        await page.goto(url!, { waitUntil: 'load' });
        expect(await page.$eval('h1', (e) => e.textContent)).toBe('Confirm it is you');
        const [verified] = await Promise.all([
          page.waitForNavigation({ timeout: 20_000 }),
          page.click('#use-passkey'),
        ]);
        expect(verified!.status()).toBe(200);
        expect(await page.$eval('h1', (e) => e.textContent)).toBe('Verified');

        expect((await resultWithin(handle, 30_000)).outcome).toBe('confirmed_verified');
        recordHistory('teams-passkey-link-verified-on-page', await handle.fetchHistory());
        const events = (await state(handle)).transcript;
        expect(events).toContainEqual(
          expect.objectContaining({
            kind: 'employee_answer',
            answer: 'confirmed',
            via: 'web',
            link: 'teams_dialog',
            actor: emailKey(ERIN.email),
          }),
        );
        expect(events.filter((e) => e.kind === 'second_factor_attempt')).toEqual([
          expect.objectContaining({ result: 'accepted', via: 'web' }),
        ]);
        await th.teams.waitFor(() => card.versions.length === 2);
        expect(th.cardText(card.versions.at(-1))).toContain('you confirmed this and verified it was you');
      } finally {
        await chromium?.close();
      }
    },
    120_000,
  );
});
