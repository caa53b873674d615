import { WebClient } from '@slack/web-api';
import { parseAlert } from '../../shared/alert';
import { interviewMessage } from '../../slack-blocks/interview';
import { alertStore } from '../../store/alerts';
import { collections } from '../../store/collections';
import { sentStore } from '../../store/sent';
import {
  BOB,
  alertFor,
  answer,
  createDevServerHarness,
  resultWithin,
  start,
  type Harness,
} from '../helpers/interview-harness';

/**
 * The interview DM reaches the employee once, even when the attempt that sent it died before
 * recording it: the next attempt finds the DM in Slack by its metadata instead of sending another.
 */
describe('the interview DM is sent once', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createDevServerHarness();
  });
  afterAll(async () => h?.teardown());

  const bobsDm = `D${BOB.id.slice(1)}`;
  const dmsFor = (workflowId: string) =>
    h.slack
      .callsTo('chat.postMessage')
      .filter(
        (c) =>
          c.args.channel === bobsDm &&
          !c.args.thread_ts &&
          JSON.stringify(c.args.blocks).includes(workflowId),
      );
  const sent = () => sentStore(collections(h.mongo.db));

  /** What an attempt that died between Slack's answer and its record leaves: a claim, and the DM. */
  async function diedAfterSending(draft: ReturnType<typeof alertFor>): Promise<string> {
    const workflowId = `alert-${draft.id!}`;
    expect(await sent().claim(`${workflowId}:dm`)).toEqual({ claimed: true });
    const web = new WebClient('xoxb-test-token', { slackApiUrl: h.slack.url });
    const res = await web.chat.postMessage({
      channel: bobsDm,
      ...interviewMessage(parseAlert(draft), workflowId, {}),
      metadata: { event_type: 'vouch_interview', event_payload: { workflow_id: workflowId } },
    });
    return res.ts!;
  }

  it('an earlier attempt sent the DM and died before recording it: found in Slack, not sent again', async () => {
    const draft = alertFor(BOB, { type: 'dm-once.found' });
    const ts = await diedAfterSending(draft);
    const handle = await start(h, draft);
    await h.slack.waitForCall('conversations.history', (c) => c.args.channel === bobsDm);
    await answer(handle, BOB.id, 'denied');
    expect((await resultWithin(handle)).outcome).toBe('denied');
    expect(dmsFor(handle.workflowId)).toHaveLength(1); // the dead attempt's, nothing more
    // The outcome replaced the buttons of that very message.
    expect(h.slack.callsTo('chat.update').some((c) => c.args.channel === bobsDm && c.args.ts === ts)).toBe(
      true,
    );
    expect(await sent().get(`${handle.workflowId}:dm`)).toEqual({ channel: bobsDm, ts });
  });

  it('an attempt that may still be sending is waited for; one that died without sending is taken over', async () => {
    const draft = alertFor(BOB, { type: 'dm-once.waits' });
    const workflowId = `alert-${draft.id!}`;
    await alertStore(collections(h.mongo.db)).createOnce(parseAlert(draft), workflowId);
    const input = { workflowId, alertId: draft.id!, slackUserId: BOB.id };
    expect(await sent().claim(`${workflowId}:dm`)).toEqual({ claimed: true });
    // Claimed a moment ago, nothing in Slack: that attempt may still be sending.
    await expect(h.activities.sendInterview(input)).rejects.toMatchObject({ type: 'EarlierAttemptSending' });
    expect(dmsFor(workflowId)).toHaveLength(0);
    // Claimed long ago (its attempt is gone), nothing in Slack: sent now, once.
    await collections(h.mongo.db).sent.updateOne(
      { _id: `${workflowId}:dm` },
      { $set: { claimedAt: new Date(Date.now() - 5 * 60_000) } },
    );
    const ref = await h.activities.sendInterview(input);
    expect(dmsFor(workflowId)).toHaveLength(1);
    expect(await h.activities.sendInterview(input)).toEqual(ref); // a retry returns the record
    expect(dmsFor(workflowId)).toHaveLength(1);
  });
});
