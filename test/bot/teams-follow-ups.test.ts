import fs from 'node:fs';
import type http from 'node:http';
import path from 'node:path';
import { createTeamsDeps } from '../../activities/channels/teams';
import { renderEvent } from '../../shared/record/render';
import { hashToken } from '../../lib/token-hash';
import { alertStore } from '../../store/alerts';
import { TEAMS_COMMANDS, teamsCommandOf } from '../../teams/status-card';
import { collections } from '../../store/collections';
import { extractPayloads, recordHistory } from '../helpers/history';
import {
  type Harness,
  alertFor,
  createDevServerHarness,
  resultWithin,
  setPolicy,
  start,
  state,
} from '../helpers/interview-harness';
import { LlmStandIn } from '../helpers/llm-stand-in';
import { uniqueName } from '../helpers/servers';
import { listInDirectory, startTeamsBot } from '../helpers/teams-bot-under-test';
import { type ConnectorActivity, TeamsStandIn } from '../helpers/teams-stand-in';
import { teamsConfigFor } from '../helpers/teams-endpoint';

const APP = {
  appId: '7a3d2e8f-9b5c-4d4e-8f6a-1b2c3d4e5f60',
  appPassword: 'teams-follow-ups-secret',
  tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47',
};
const CAROL_OID = '5a1f8b2e-3d4a-4b5c-8d6e-7f8091a2b3c4';
const MALLORY_OID = '6b2a9c3f-4e5b-4c6d-9e7f-8091a2b3c4d5';
const DIETER_OID = '9c5d2f6a-7b8c-4d9e-8f1a-c2d3e4f5a6b7';
const PLANNED = ['Who asked you to add the new administrator?', 'Is there a ticket for it?'];
const NEXT = 'Do you recognise the address 203.0.113.7?';

/**
 * The AI interviewer's follow-ups and the employee's `status` in Microsoft Teams, end to end: the real
 * workflow and worker on Temporal, the real Teams endpoint fed signed activities, the Bot Connector
 * stand-in receiving the questions and replies, and a stand-in of an OpenAI-compatible model.
 */
describe('Microsoft Teams: follow-up questions and status in the chat', () => {
  let h: Harness;
  let teams: TeamsStandIn;
  let llm: LlmStandIn;
  let bot: http.Server;
  let endpoint: string;

  beforeAll(async () => {
    teams = await new TeamsStandIn(APP).start();
    llm = await new LlmStandIn().start();
    llm
      .byDefault('follow_up_plan', { json: { questions: PLANNED } })
      .byDefault('follow_up_next', { json: { enough: false, question: NEXT } })
      .byDefault('analyst_summary', LlmStandIn.quotingSummary('Nothing in the alert confirms it.'));
    const config = teamsConfigFor(teams);
    h = await createDevServerHarness({
      llm: { url: llm.url, model: 'test-model', apiKey: llm.apiKey, timeoutMs: 1000 },
      activityDeps: { teams: createTeamsDeps({ teams: config }) },
    });
    ({ server: bot, endpoint } = await startTeamsBot(h, config));
    await listInDirectory(h, [
      { email: 'carol.f@example.com', name: 'Carol Contractor', aadObjectId: CAROL_OID },
      { email: 'mallory.f@example.com', aadObjectId: MALLORY_OID },
      { email: 'dieter.f@example.com', name: 'Dieter Deutsch', aadObjectId: DIETER_OID },
    ]);
  }, 120_000);

  afterAll(async () => {
    await new Promise((r) => bot?.close(r));
    await h?.teardown();
    await teams?.stop();
    await llm?.stop();
  });

  const activity = (from: string, conversationId: string, over: Record<string, unknown>) =>
    teams.userActivity(from, conversationId, over);
  const signedPost = async (body: { id: string }) => {
    const res = await fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await teams.sign()}` },
      body: JSON.stringify(body),
    });
    return res.status;
  };
  /** `from` writes `text` in the chat; the bot's replies to that message, once there are `replies`. */
  const write = async (from: string, conversationId: string, text: string, replies = 1, over = {}) => {
    const message = activity(from, conversationId, { type: 'message', text, textFormat: 'plain', ...over });
    expect(await signedPost(message)).toBe(200);
    if (replies === 0) return [];
    await teams.waitFor(() => teams.activities.filter((a) => a.replyToId === message.id).length >= replies);
    return teams.activities.filter((a) => a.replyToId === message.id);
  };
  const cardFor = async (workflowId: string) => {
    const ofThis = (a: ConnectorActivity) => JSON.stringify(a.body).includes(`"workflowId":"${workflowId}"`);
    await teams.waitFor(() => teams.activities.some(ofThis));
    return teams.activities.find(ofThis)!;
  };
  const carolSaysNo = (card: ConnectorActivity, workflowId: string) =>
    signedPost(
      activity(CAROL_OID, card.conversationId, { type: 'message', value: { vouch: 'deny', workflowId } }),
    );
  /** The follow-up questions posted so far: replies to the card carrying a card of their own. */
  const questionsTo = (card: ConnectorActivity) =>
    teams.activities.filter((a) => a.replyToId === card.id && Array.isArray(a.body.attachments));
  const nthQuestion = async (card: ConnectorActivity, n: number) => {
    await teams.waitFor(() => questionsTo(card).length >= n);
    return JSON.stringify(questionsTo(card)[n - 1]!.body);
  };
  const stored = (alertId: string) => alertStore(collections(h.mongo.db)).get(alertId, { withAudit: true });

  it('asks follow-ups as replies to the card after the outcome; only the employee answers, in the chat; the answers are recorded', async () => {
    const type = uniqueName('type');
    await setPolicy(h, type, {
      channels: ['teams'],
      reminders: [],
      deadline: '1h',
      followUps: { enabled: true, maxQuestions: 2 },
    });
    const alert = alertFor({ email: 'carol.f@example.com' }, { type });
    const handle = await start(h, alert);
    const card = await cardFor(handle.workflowId);
    expect(await carolSaysNo(card, handle.workflowId)).toBe(200);

    // The outcome first, as in Slack: the card shows it before the first question comes.
    const q1 = await nthQuestion(card, 1);
    expect((await state(handle)).outcome).toBe('denied');
    expect(card.versions.length).toBe(2);
    expect(q1).toContain(PLANNED[0]);
    expect(q1).toContain('Machine-written question');
    expect(q1).toContain('New admin added to the AWS account');

    // Mallory's message in Carol's chat answers nothing: she is told, and the alert's audit trail has it.
    const refused = await write(MALLORY_OID, card.conversationId, 'I can answer for Carol');
    expect(String(refused[0]!.body.text)).toBe("This isn't your alert, so you can't answer it.");
    const refusals = (await stored(alert.id!))!.audit?.filter((a) => a.kind === 'unauthorized_reply');
    expect(refusals).toEqual([expect.objectContaining({ actor: `aad:${MALLORY_OID}` })]);

    await write(CAROL_OID, card.conversationId, 'My manager Carla asked me to, ticket OPS-42', 0);
    expect(await nthQuestion(card, 2)).toContain(NEXT); // the model saw the answer and asked one more
    await write(CAROL_OID, card.conversationId, 'Yes, the office VPN. My code is 123456', 0);

    expect((await resultWithin(handle)).outcome).toBe('denied');
    const doc = (await stored(alert.id!))!;
    expect(doc.transcript.filter((e) => e.kind === 'follow_up_question')).toEqual([
      expect.objectContaining({ question: PLANNED[0], machineWritten: true }),
      expect.objectContaining({ question: NEXT, machineWritten: true }),
    ]);
    const answers = doc.transcript.filter((e) => e.kind === 'follow_up_answer');
    expect(answers.map(renderEvent)).toEqual([
      'My manager Carla asked me to, ticket OPS-42',
      'Yes, the office VPN. My code is [6 digits removed]',
    ]);
    expect(answers.map((e) => e.actor)).toEqual([`aad:${CAROL_OID}`, `aad:${CAROL_OID}`]);
    expect(doc.transcript.map((e) => e.kind)).not.toContain('unauthorized_reply');
    expect(doc.summary?.text).toContain('"My manager Carla asked me to, ticket OPS-42"');
    // The thanks, as a reply to the card.
    await teams.waitFor(() =>
      teams.activities.some(
        (a) => a.replyToId === card.id && /Thanks, your answers/.test(String(a.body.text)),
      ),
    );
    const history = await handle.fetchHistory();
    recordHistory('teams-follow-ups-answered', history);
    expect(extractPayloads(history)).not.toContain('code is 123456');

    // The conversation is over: the next message is not an answer, and gets the help.
    const after = await write(CAROL_OID, card.conversationId, 'anything else?');
    expect(JSON.stringify(after[0]!.body)).toContain('your open checks and recent outcomes');
    expect((await stored(alert.id!))!.transcript.map(renderEvent)).not.toContain('anything else?');
  }, 120_000);

  it('"status" lists the employee\'s open interview, not a closed one among the open; other text gets the help', async () => {
    const type = uniqueName('type');
    await setPolicy(h, type, { channels: ['teams'], reminders: [], deadline: '1h' });
    const closedTitle = `Closed check ${uniqueName('t')}`;
    const openTitle = `Open check ${uniqueName('t')}`;
    const closed = await start(h, alertFor({ email: 'carol.f@example.com' }, { type, title: closedTitle }));
    const closedCard = await cardFor(closed.workflowId);
    expect(await carolSaysNo(closedCard, closed.workflowId)).toBe(200);
    expect((await resultWithin(closed)).outcome).toBe('denied');
    const open = await start(h, alertFor({ email: 'carol.f@example.com' }, { type, title: openTitle }));
    const openCard = await cardFor(open.workflowId);
    expect((await state(open)).phase).toBe('awaiting_response'); // set before the card is sent

    const [reply] = await write(CAROL_OID, openCard.conversationId, 'Status');
    const elements = (reply!.body.attachments as { content: { body: unknown[] } }[])[0]!.content.body.map(
      (e) => JSON.stringify(e),
    );
    const recentAt = elements.findIndex((e) => e.includes('"Recent"'));
    const openSection = elements.slice(0, recentAt).join('\n');
    expect(openSection).toContain('Open checks');
    expect(openSection).toContain(openTitle);
    expect(openSection).toContain('waiting for your answer');
    expect(openSection).not.toContain(closedTitle);
    expect(elements.slice(recentAt).join('\n')).toContain(closedTitle);

    // Someone with no interviews has none listed; any other text gets the help.
    const mallorysChat = `a:mallory-${uniqueName('chat')}`;
    teams.conversations.set(mallorysChat, { members: [{ aadObjectId: MALLORY_OID }], isGroup: false });
    const [mallorys] = await write(MALLORY_OID, mallorysChat, 'status');
    expect(JSON.stringify(mallorys!.body)).toContain('You have no open checks.');
    expect(JSON.stringify(mallorys!.body)).not.toContain(openTitle);
    const [help] = await write(CAROL_OID, openCard.conversationId, 'hello?');
    expect(JSON.stringify(help!.body)).toContain('your open checks and recent outcomes');
    await open.terminate('test done');
  }, 120_000);

  it('"enroll" gives a single-use link kept under the writer\'s factor key; "status" says whether a second factor is set up', async () => {
    // The enrollment link needs the answer page's host and an operators' channel for the pairing code.
    const publicUrl = 'https://vouch.example.com';
    const withOperators = { ...teamsConfigFor(teams), operatorsConversation: '19:ops@thread.tacv2' };
    const { server, endpoint: enrollEndpoint } = await startTeamsBot(h, withOperators, publicUrl);
    try {
      const chat = `a:carol-${uniqueName('chat')}`;
      teams.conversations.set(chat, { members: [{ aadObjectId: CAROL_OID }], isGroup: false });
      const send = async (text: string) => {
        const message = activity(CAROL_OID, chat, { type: 'message', text, textFormat: 'plain' });
        const res = await fetch(enrollEndpoint, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${await teams.sign()}` },
          body: JSON.stringify(message),
        });
        expect(res.status).toBe(200);
        await teams.waitFor(() => teams.activities.some((a) => a.replyToId === message.id));
        return JSON.stringify(teams.activities.find((a) => a.replyToId === message.id)!.body);
      };
      expect(await send('status')).toContain('You have no second factor yet: write enroll to set one up.');
      const reply = await send('enroll');
      const token = /https:\/\/vouch\.example\.com\/enroll\/([A-Za-z0-9_-]{43})/.exec(reply)?.[1];
      expect(token).toBeDefined();
      const link = await collections(h.mongo.db).enrollmentLinks.findOne({ _id: hashToken(token!) });
      expect(link).toMatchObject({ employee: 'email:carol.f@example.com', state: 'created' });
      expect(reply).toContain('It works once, in one browser, for 15 minutes.');
      // Someone the directory does not list gets no link.
      const strangersChat = `a:stranger-${uniqueName('chat')}`;
      const strangerOid = '0f0f0f0f-0000-4000-8000-00000000abcd';
      teams.conversations.set(strangersChat, { members: [{ aadObjectId: strangerOid }], isGroup: false });
      const message = activity(strangerOid, strangersChat, {
        type: 'message',
        text: 'enroll',
        textFormat: 'plain',
      });
      await fetch(enrollEndpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${await teams.sign()}` },
        body: JSON.stringify(message),
      });
      await teams.waitFor(() => teams.activities.some((a) => a.replyToId === message.id));
      const strangers = JSON.stringify(teams.activities.find((a) => a.replyToId === message.id)!.body);
      expect(strangers).toContain('Vouch does not know you by name yet');
      expect(strangers).not.toContain('/enroll/');
    } finally {
      await new Promise((r) => server.close(r));
    }
  }, 120_000);

  it('after a de-DE activity the questions, the thanks, "status" and the help are German', async () => {
    const german = { locale: 'de-DE' };
    const type = uniqueName('type');
    await setPolicy(h, type, {
      channels: ['teams'],
      reminders: [],
      deadline: '1h',
      followUps: { enabled: true, maxQuestions: 1 },
    });
    const answered = await start(h, alertFor({ email: 'dieter.f@example.com' }, { type }));
    const card = await cardFor(answered.workflowId);
    const no = activity(DIETER_OID, card.conversationId, {
      type: 'message',
      value: { vouch: 'deny', workflowId: answered.workflowId },
      ...german,
    });
    expect(await signedPost(no)).toBe(200);

    const question = await nthQuestion(card, 1);
    expect(question).toContain('Eine Frage zu „New admin added to the AWS account“');
    expect(question).toContain('Maschinell formulierte Frage (ein KI-Assistent des Sicherheitsteams).');
    expect(question).toContain('Freiwillig: Schreib deine Antwort als nächste Nachricht in diesen Chat');
    expect(question).not.toMatch(/Optional|Machine-written|A question about/);
    await write(DIETER_OID, card.conversationId, 'Mein Teamleiter hat darum gebeten', 0, german);
    await teams.waitFor(() =>
      teams.activities.some(
        (a) =>
          a.replyToId === card.id &&
          a.body.text === 'Danke, deine Antworten sind beim Sicherheitsteam. Sonst ist nichts zu tun.',
      ),
    );
    expect((await resultWithin(answered)).outcome).toBe('denied');

    const openTitle = `Offene Prüfung ${uniqueName('t')}`;
    const open = await start(h, alertFor({ email: 'dieter.f@example.com' }, { type, title: openTitle }));
    await cardFor(open.workflowId);
    expect((await state(open)).phase).toBe('awaiting_response');
    const [status] = await write(DIETER_OID, card.conversationId, 'status', 1, german);
    const shown = JSON.stringify(status!.body);
    expect(shown).toContain('Offene Prüfungen (1)');
    expect(shown).toContain(`${openTitle}`);
    expect(shown).toContain('wartet auf deine Antwort');
    expect(shown).toContain('Beantworte sie auf ihren Karten in diesem Chat.');
    expect(shown).toContain('"Zuletzt"');
    expect(shown).toContain('als „nicht ich“ gemeldet');
    expect(shown).not.toMatch(/Open checks|Recent|waiting for your answer/);

    const [help] = await write(DIETER_OID, card.conversationId, 'hallo?', 1, german);
    const helpText = JSON.stringify(help!.body);
    expect(helpText).toContain('Vouch bittet dich hier, Sicherheitswarnungen zu deinem Konto zu bestätigen');
    expect(helpText).toContain('**status**: deine offenen Prüfungen und die letzten Ergebnisse');
    expect(helpText).toContain('**help**: diese Nachricht');
    expect(helpText).not.toContain('your open checks');
    await open.terminate('test done');
  }, 120_000);
});

describe('the Teams app manifest', () => {
  it('lists exactly the commands the chat understands, in the personal scope', () => {
    const manifest = JSON.parse(
      fs.readFileSync(path.join(__dirname, '../../teams/manifest.json'), 'utf8'),
    ) as { bots: { commandLists?: { scopes: string[]; commands: { title: string }[] }[] }[] };
    const lists = manifest.bots[0]!.commandLists ?? [];
    expect(lists.map((l) => l.scopes)).toEqual([['personal']]);
    const titles = lists[0]?.commands.map((c) => c.title) ?? [];
    expect(titles).toEqual(Object.values(TEAMS_COMMANDS));
    for (const title of titles) expect(teamsCommandOf(title)).toBe(title);
  });
});
