import { ApplicationFailure } from '@temporalio/common';
import type { Activities } from '../../activities';
import { collections } from '../../store/collections';
import { UNDELIVERED_PHASE } from '../../shared/constants';
import { recordHistory } from '../helpers/history';
import {
  ANA,
  BOB,
  SECURITY_CHANNEL,
  act,
  alertFor,
  answer,
  createHarness,
  dmSent,
  enroll,
  setPolicy,
  start,
  state,
  submitCode,
  validCode,
  type Harness,
} from '../helpers/interview-harness';
import { renderEvent } from '../../shared/record/render';

/**
 * The last line of defence, on the time-skipping server with the real activities: one activity at a
 * time is replaced by one that fails (the rest, MongoDB and the Slack stand-in stay real).
 */
describe('alertInterview fails closed', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness({ timeSkipping: true, overridable: true });
    h.slack.addUserGroup('SOPSGROUP', ['UOPS0001']);
  });
  afterAll(async () => h?.teardown());
  afterEach(() => {
    for (const name of Object.keys(h.overrides)) delete h.overrides[name as keyof Activities];
  });

  /** The message names alert content; the notice must carry only the error's type. */
  const SECRET_IN_MESSAGE = 'detail-value-that-must-not-leak';
  const failFor = (name: keyof Activities) => {
    (h.overrides as Record<string, unknown>)[name] = async () => {
      throw ApplicationFailure.nonRetryable(`refused ${SECRET_IN_MESSAGE}`, 'InjectedFailure');
    };
  };
  const noticesFor = (alertId: string) =>
    h.slack
      .callsTo('chat.postMessage')
      .filter(
        (c) =>
          c.args.channel === SECURITY_CHANNEL &&
          String(c.args.text).startsWith('Vouch FAILED CLOSED') &&
          String(c.args.text).includes(alertId),
      );

  type Handle = Awaited<ReturnType<typeof start>>;
  const cases: [keyof Activities, string, (handle: Handle) => Promise<void>][] = [
    ['prepareInterview', 'aws.admin_added', async () => {}],
    ['recordProgress', 'aws.admin_added', async () => {}],
    ['postApprovalRequest', 'fc.approval', async () => {}],
    [
      'isInUserGroups',
      'fc.approval_by_group',
      async (handle) => {
        // An approve counts only while the approval is asked for: as from the approval post's button.
        while ((await state(handle)).phase !== 'awaiting_approval')
          await new Promise((r) => setTimeout(r, 50));
        await act(handle, 'approve', 'UOPS0001');
      },
    ],
    ['markApprovalDecided', 'fc.approval', async (handle) => act(handle, 'approve', 'UOPS0001')],
    ['planWorkingHoursSchedule', 'fc.working_hours', async () => {}],
    ['sendInterview', 'aws.admin_added', async () => {}],
    ['sendReminder', 'aws.admin_added', async () => {}], // the first reminder, 15 min in
    [
      'isEnrolled',
      'aws.admin_added',
      async (handle) => {
        await dmSent(h, handle);
        await answer(handle, BOB.id, 'confirmed');
      },
    ],
    [
      'createSuppression',
      'aws.admin_added',
      async (handle) => {
        const secret = await enroll(h, BOB.id);
        await dmSent(h, handle);
        await answer(handle, BOB.id, 'confirmed');
        await submitCode(h, handle, BOB.id, validCode(secret));
      },
    ],
    [
      'finishInterview',
      'aws.admin_added',
      async (handle) => {
        await dmSent(h, handle);
        await answer(handle, BOB.id, 'denied');
      },
    ],
  ];

  beforeAll(async () => {
    await setPolicy(h, 'fc.approval', { mode: 'approval' });
    await setPolicy(h, 'fc.approval_by_group', { mode: 'approval', approval: { approvers: ['SOPSGROUP'] } });
    await setPolicy(h, 'fc.working_hours', { workingHours: { enabled: true } });
  });

  it.each(cases)(
    'a non-retryable failure in %s ends failed_closed with a plain post in the security channel',
    async (activity, type, drive) => {
      failFor(activity);
      const alert = alertFor(BOB, { type });
      const handle = await start(h, alert);
      await drive(handle);
      expect(await handle.result()).toMatchObject({ outcome: 'failed_closed', phase: 'escalated' });

      const [notice, ...more] = noticesFor(alert.id!);
      expect(more).toHaveLength(0);
      const text = String(notice!.args.text);
      expect(text).toContain(BOB.email);
      expect(text).toContain(`activity ${activity}`);
      expect(text).toContain('InjectedFailure');
      expect(text).not.toContain(SECRET_IN_MESSAGE);
      expect(notice!.args.blocks).toBeUndefined();
      expect(text.length).toBeLessThanOrEqual(500);
      expect(text).toMatch(/^[\x20-\x7e]+$/);

      const doc = await collections(h.mongo.db).alerts.findOne({ _id: alert.id! });
      if (activity === 'prepareInterview')
        expect(doc).toBeNull(); // never stored: the post and the log
      else expect(doc).toMatchObject({ phase: 'escalated', outcome: 'failed_closed' });
      const audit = await collections(h.mongo.db).audit.findOne({ _id: `${alert.id}:failed-closed` });
      if (activity !== 'prepareInterview')
        expect(audit).toMatchObject({
          kind: 'failed_closed',
          step: `activity ${activity}`,
          errorType: 'InjectedFailure',
        });
      const description = await handle.describe();
      expect(description.searchAttributes).toMatchObject({
        VouchOutcome: ['failed_closed'],
        VouchPhase: ['escalated'],
      });
    },
  );

  it('a step that keeps failing retryably is waited out for its bound (1 h), then fails closed', async () => {
    let attempts = 0;
    h.overrides.sendInterview = async () => {
      attempts += 1;
      throw new Error('Slack answered 503');
    };
    const alert = alertFor(ANA);
    const handle = await start(h, alert);
    const result = await handle.result();
    expect(result).toMatchObject({ outcome: 'failed_closed' });
    expect(attempts).toBeGreaterThan(10); // retried, not given up at the first failure
    const { transcript } = await state(handle);
    const dmAt = Date.parse(transcript.find((t) => t.kind === 'alert_received')!.at);
    const failedAt = transcript.find((t) => t.kind === 'failed_closed')!;
    expect(renderEvent(failedAt)).toBe('activity sendInterview: Error, retried past its bound');
    // Retries stop when the next one would pass the bound: within a retry interval (1 min) of it.
    expect(Date.parse(failedAt.at) - dmAt).toBeGreaterThanOrEqual(58 * 60_000);
    expect(Date.parse(failedAt.at) - dmAt).toBeLessThan(2 * 3600_000);
    expect(String(noticesFor(alert.id!)[0]?.args.text)).toContain('retried past its bound');
  });

  it('an invalid stored policy fails closed instead of falling back to a laxer one', async () => {
    // Stored without validation, as by an older version or by hand.
    await collections(h.mongo.db).policies.updateOne(
      { _id: 'fc.bad_policy' },
      { $set: { mode: 'approval', deadline: 'soon', updatedAt: new Date(), updatedBy: 'test' } },
      { upsert: true },
    );
    const alert = alertFor(BOB, { type: 'fc.bad_policy' });
    const handle = await start(h, alert);
    expect(await handle.result()).toMatchObject({ outcome: 'failed_closed' });
    expect(String(noticesFor(alert.id!)[0]?.args.text)).toContain(
      'InvalidStoredPolicy at activity prepareInterview',
    );
  });

  it('a bug in workflow code (here: an activity result it did not expect) fails closed too', async () => {
    h.overrides.planWorkingHoursSchedule = async () => ({}) as never;
    const alert = alertFor(BOB, { type: 'fc.working_hours' });
    const handle = await start(h, alert);
    expect(await handle.result()).toMatchObject({ outcome: 'failed_closed' });
    expect(String(noticesFor(alert.id!)[0]?.args.text)).toContain('TypeError at workflow code');
    expect(renderEvent((await state(handle)).transcript.find((t) => t.kind === 'failed_closed')!)).toBe(
      'workflow code: TypeError',
    );
  });

  it('an interview stuck where nothing else ends it fails closed at its overall deadline', async () => {
    // A schedule far beyond what working hours can stretch a deadline to (60 days): a bug to catch.
    h.overrides.planWorkingHoursSchedule = async (input) => ({
      reminderAt: [],
      deadlineAt: new Date(Date.parse(input.startedAt) + 365 * 86_400_000).toISOString(),
    });
    const alert = alertFor(BOB, { type: 'fc.working_hours' });
    const handle = await start(h, alert);
    expect(await handle.result()).toMatchObject({ outcome: 'failed_closed' });
    const { transcript } = await state(handle);
    const failed = transcript.find((t) => t.kind === 'failed_closed')!;
    expect(renderEvent(failed)).toBe('interview deadline: InterviewDeadlineExceeded');
    const startedAt = Date.parse(transcript.find((t) => t.kind === 'alert_received')!.at);
    const overall = 61 * 86_400_000 + 15 * 60_000 + 6 * 3600_000; // reach + second factor + margin
    expect(Date.parse(failed.at) - startedAt).toBeGreaterThanOrEqual(overall);
    expect(Date.parse(failed.at) - startedAt).toBeLessThan(overall + 60_000);
    expect(String(noticesFor(alert.id!)[0]?.args.text)).toContain('InterviewDeadlineExceeded');
  });

  it('an input that is not an alert fails closed, its values made inert ASCII in the notice', async () => {
    const workflowId = `alert-not-an-alert-${Date.now()}`;
    const handle = await h.client.workflow.start('alertInterview', {
      taskQueue: h.taskQueue,
      workflowId,
      args: [{ id: 'bad<!channel>\u0000id', employee: { email: 'ünïcode\u202e@example.com' } }],
    });
    expect(await handle.result()).toMatchObject({ outcome: 'failed_closed', phase: 'escalated' });
    const notice = noticesFor('bad?!channel??id')[0];
    expect(String(notice?.args.text)).toContain('(employee ?n?code?@example.com)');
    expect(String(notice?.args.text)).toContain('InvalidAlertError at alert input');
    expect(String(notice?.args.text)).toMatch(/^[\x20-\x7e]+$/);
  });

  it('a policy channel that refuses every post: the escalation fails closed and the notice reaches the security channel', async () => {
    await setPolicy(h, 'fc.archived_channel', { escalation: { channel: 'CARCHIVED' } });
    for (let i = 0; i < 10; i += 1)
      h.slack.failWhen('chat.postMessage', (args) => args.channel === 'CARCHIVED', { error: 'is_archived' });
    const alert = alertFor(BOB, { type: 'fc.archived_channel' });
    const handle = await start(h, alert);
    await dmSent(h, handle);
    await answer(handle, BOB.id, 'denied');
    expect(await handle.result()).toMatchObject({ outcome: 'failed_closed', phase: 'escalated' });
    const [notice] = noticesFor(alert.id!);
    expect(String(notice?.args.text)).toContain('activity finishInterview');
    expect((await handle.describe()).searchAttributes.VouchPhase).toEqual(['escalated']);
  });

  it('if even the notice is refused, it is retried until delivered and the Web UI shows it meanwhile', async () => {
    failFor('sendInterview');
    const refusals = 40;
    for (let i = 0; i < refusals; i += 1)
      h.slack.failWhen('chat.postMessage', (args) => String(args.text).startsWith('Vouch FAILED CLOSED'), {
        error: 'channel_not_found',
      });
    const alert = alertFor(BOB);
    const handle = await start(h, alert);
    const undelivered = async () => (await handle.describe()).searchAttributes.VouchPhase;
    // Past the first, bounded try (5 min), a minute at a time.
    for (let i = 0; i < 15 && (await undelivered())?.[0] !== UNDELIVERED_PHASE; i += 1)
      await h.env!.sleep('1 minute');
    expect(await undelivered()).toEqual([UNDELIVERED_PHASE]);
    const triedSoFar = noticesFor(alert.id!).length;
    expect(triedSoFar).toBeGreaterThan(3);
    expect(triedSoFar).toBeLessThan(refusals); // all of them refused so far

    expect(await handle.result()).toMatchObject({ outcome: 'failed_closed' });
    expect(noticesFor(alert.id!)).toHaveLength(refusals + 1); // delivered at the first try not refused
    expect(await undelivered()).toEqual(['escalated']);
    recordHistory('failed-closed-notice-delivered-after-refusals', await handle.fetchHistory());
  });
});
