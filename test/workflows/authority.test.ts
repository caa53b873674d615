import {
  BOB,
  SECURITY_CHANNEL,
  act,
  alertFor,
  answer,
  createHarness,
  dmSent,
  setPolicy,
  start,
  state,
  type Harness,
} from '../helpers/interview-harness';

/** Operators' authority, checked by the workflow itself: raw signals, as the CLI or anyone with Temporal access sends them. */
describe('operator authority in alertInterview', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness({ timeSkipping: true });
    await setPolicy(h, 'auth.approval', { mode: 'approval' });
    await setPolicy(h, 'auth.approvers', { mode: 'approval', approval: { approvers: ['UOPS0001'] } });
  });
  afterAll(async () => h?.teardown());

  type Handle = Awaited<ReturnType<typeof start>>;
  const approvalPost = (handle: Handle) =>
    h.slack.waitForCall(
      'chat.postMessage',
      (c) =>
        c.args.channel === SECURITY_CHANNEL &&
        JSON.stringify(c.args.blocks ?? '').includes(handle.workflowId),
    );
  const decidedPost = (handle: Handle) =>
    h.slack.waitForCall(
      'chat.update',
      (c) =>
        c.args.channel === SECURITY_CHANNEL &&
        JSON.stringify(c.args.blocks ?? '').includes(handle.workflowId),
    );
  const kinds = async (handle: Handle) => (await state(handle)).transcript.map((t) => t.kind);
  const until = async (check: () => Promise<boolean>) => {
    for (let i = 0; i < 100 && !(await check()); i += 1) await new Promise((r) => setTimeout(r, 100));
    expect(await check()).toBe(true);
  };

  it('a stale Skip after Approve is recorded and ignored; the approval post loses its buttons and says who', async () => {
    const handle = await start(h, alertFor(BOB, { type: 'auth.approval' }));
    await approvalPost(handle);
    await act(handle, 'approve', 'UOPS0001');
    await dmSent(h, handle);
    await act(handle, 'skip', 'UOPS0002');
    await until(async () => (await kinds(handle)).includes('stale_operator_action'));
    const stale = (await state(handle)).transcript.find((t) => t.kind === 'stale_operator_action');
    expect(stale).toMatchObject({
      operator: 'UOPS0002',
      action: 'skip',
      reason: 'already_decided',
      decision: 'approve',
      decidedBy: 'UOPS0001',
    });
    expect((await state(handle)).phase).toBe('awaiting_response');

    const update = await decidedPost(handle);
    expect(String(update.args.text)).toContain('approved by <@UOPS0001>');
    expect(JSON.stringify(update.args.blocks)).not.toContain('vouch_skip');

    await answer(handle, BOB.id, 'denied');
    expect(await handle.result()).toMatchObject({ outcome: 'denied' });
  });

  it('the subject cannot skip, approve or close their own interview, by Slack id or by email', async () => {
    const handle = await start(h, alertFor(BOB, { type: 'auth.approval' }));
    await approvalPost(handle);
    await act(handle, 'skip', BOB.id);
    await act(handle, 'approve', ' Bob@Example.com ');
    await until(async () => (await kinds(handle)).filter((k) => k === 'self_action_refused').length === 2);
    expect((await state(handle)).phase).toBe('awaiting_approval');

    await act(handle, 'approve', 'UOPS0001');
    await dmSent(h, handle);
    await act(handle, 'close', BOB.id);
    await act(handle, 'escalate', BOB.email);
    await until(async () => (await kinds(handle)).filter((k) => k === 'self_action_refused').length === 4);
    const s = await state(handle);
    expect(s.phase).toBe('awaiting_response');
    expect(
      s.transcript.flatMap((t) => (t.kind === 'self_action_refused' ? [[t.operator, t.action]] : [])),
    ).toEqual([
      [BOB.id, 'skip'],
      [' Bob@Example.com ', 'approve'],
      [BOB.id, 'close'],
      [BOB.email, 'escalate'],
    ]);
    await answer(handle, BOB.id, 'denied');
    expect(await handle.result()).toMatchObject({ outcome: 'denied' });
  });

  it('the subject is refused under any spelling, and when they act before Vouch knows who they are', async () => {
    // Sent at once: the alert names Bob by email only, so his Slack id is known only once he is resolved.
    const handle = await start(h, alertFor(BOB));
    await act(handle, 'close', BOB.id);
    await dmSent(h, handle);
    for (const operator of [`<@${BOB.id}>`, 'cli:bob', '@Bob']) await act(handle, 'escalate', operator);
    await until(async () => (await kinds(handle)).filter((k) => k === 'self_action_refused').length === 4);
    expect((await state(handle)).phase).toBe('awaiting_response');
    await answer(handle, BOB.id, 'denied');
    expect(await handle.result()).toMatchObject({ outcome: 'denied' });
  });

  it("every approval-phase action goes through the policy's approvers, close included", async () => {
    const handle = await start(h, alertFor(BOB, { type: 'auth.approvers' }));
    await approvalPost(handle);
    await act(handle, 'close', 'UOPS0009');
    await until(async () => (await kinds(handle)).includes('approval_refused'));
    expect((await state(handle)).phase).toBe('awaiting_approval');
    await act(handle, 'close', 'UOPS0001', 'known maintenance');
    expect(await handle.result()).toMatchObject({ outcome: 'closed_by_operator' });
    const update = await decidedPost(handle);
    expect(String(update.args.text)).toContain('Closed by <@UOPS0001>');
  });

  it('approve outside the approval phase is stale', async () => {
    const handle = await start(h, alertFor(BOB, { type: 'auth.plain' }));
    await dmSent(h, handle);
    await act(handle, 'approve', 'UOPS0001');
    await until(async () => (await kinds(handle)).includes('stale_operator_action'));
    await answer(handle, BOB.id, 'denied');
    expect(await handle.result()).toMatchObject({ outcome: 'denied' });
  });
});
