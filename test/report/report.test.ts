import { collections } from '../../store/collections';
import type { InvestigationReport } from '../../report/investigation';
import { harnessWithCli, runCli } from '../helpers/cli';
import {
  ANA,
  alertFor,
  answer,
  dmSent,
  enroll,
  start,
  state,
  submitCode,
  validCode,
} from '../helpers/interview-harness';
import { renderEvent } from '../../shared/record/render';

/** `vouch report`: the report of a real interview, compared with what the interview itself recorded. */
describe('vouch report', () => {
  const ctx = harnessWithCli({ TEMPORAL_UI_URL: 'https://temporal.example.com' });

  it("matches the interview's transcript, with the second factor, durations, actors and a machine-written summary", async () => {
    const secret = await enroll(ctx.h, ANA.id);
    const alert = alertFor(ANA, {
      type: 'aws.report_test',
      title: 'Admin added [click](https://evil.example) <b>now</b>',
    });
    const handle = await start(ctx.h, alert);
    await dmSent(ctx.h, handle);
    await answer(handle, ANA.id, 'confirmed', 'new hire onboarding');
    expect(await submitCode(ctx.h, handle, ANA.id, '000000')).toMatchObject({ accepted: false });
    await submitCode(ctx.h, handle, ANA.id, validCode(secret));
    expect(await handle.result()).toMatchObject({ outcome: 'confirmed_verified' });
    const machine = {
      text: 'Routine onboarding; matches HR ticket.',
      machineWritten: true,
      model: 'test-model',
      at: new Date(),
    };
    await collections(ctx.h.mongo.db).alerts.updateOne(
      { _id: alert.id! },
      { $set: { summary: machine } as never },
    );

    const json = await runCli(['report', alert.id!, '--json'], ctx.env);
    expect(json.status).toBe(0);
    const report = JSON.parse(json.stdout) as InvestigationReport;
    const interview = await state(handle);
    // The report carries the record's head hash, the one the stored chain verifies to.
    const head = (await collections(ctx.h.mongo.db).alerts.findOne({ _id: alert.id! }))?.head;
    expect(head?.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(report.recordHead).toEqual(head);
    const verified = await runCli(['report', alert.id!, '--verify'], ctx.env);
    expect(verified.stdout).toContain(head!.hash);
    // The full transcript is the interview's own, entry for entry.
    expect(report.transcript.map(({ source: _source, text: _text, ...event }) => event)).toEqual(
      interview.transcript,
    );
    expect(report.transcript.map((t) => t.text)).toEqual(interview.transcript.map(renderEvent));
    expect(report).toMatchObject({
      outcome: 'confirmed_verified',
      escalated: false,
      employeeSlackId: ANA.id,
      policy: 'policies/default', // the harness's default policy (storms off: one interview per alert)
      link: `https://temporal.example.com/namespaces/default/workflows/${handle.workflowId}`,
      secondFactor: { result: 'verified' },
      summary: { text: machine.text, machineWritten: true, model: 'test-model' },
      alert: { id: alert.id, details: { sourceIp: '203.0.113.7' }, hiddenDetails: ['account'] },
    });
    expect(report.secondFactor.attempts.map((a) => a.text)).toEqual([
      expect.stringMatching(/^attempt 1\/3: rejected/),
      expect.stringMatching(/^attempt 2\/3: accepted/),
    ]);
    // The facts are the events' fields.
    expect(report.secondFactor.attempts).toEqual([
      expect.objectContaining({ kind: 'second_factor_attempt', attempt: 1, limit: 3, result: 'rejected' }),
      expect.objectContaining({ kind: 'second_factor_attempt', attempt: 2, limit: 3, result: 'accepted' }),
    ]);
    expect(report.answer).toEqual({
      ...interview.transcript.find((t) => t.kind === 'employee_answer'),
      text: 'Yes, that was me: "new hire onboarding"',
    });
    expect(report.answer).toMatchObject({
      actor: ANA.id,
      answer: 'confirmed',
      justification: 'new hire onboarding',
    });
    expect(report.employee).toMatchObject({ slackUserId: ANA.id });
    expect(report.outcomeAt).toBe(interview.transcript.find((t) => t.kind === 'outcome')!.at);
    expect(report).toMatchObject({ escalationPost: null, deliveries: [] });
    expect(report.closedBy).toBeUndefined();
    expect(report.timeline.map((t) => t.kind)).toEqual(
      expect.arrayContaining([
        'alert_received',
        'dm_sent',
        'employee_answer',
        'second_factor_attempt',
        'outcome',
      ]),
    );
    expect(report.timeline.find((t) => t.kind === 'outcome')).toMatchObject({
      actor: 'vouch',
      outcome: 'confirmed_verified',
      text: 'confirmed_verified',
      sinceStartMs: report.timeToOutcomeMs,
    });
    const at = (kind: string) => Date.parse(interview.transcript.find((t) => t.kind === kind)!.at);
    expect(report.timeToFirstAnswerMs).toBe(Math.max(0, at('employee_answer') - at('dm_sent')));
    expect(report.timeToOutcomeMs).toBe(at('outcome') - at('alert_received'));
    expect(report.actors).toEqual([
      {
        actor: ANA.id,
        kinds: ['employee_answer'],
        actions: ['employee_answer: Yes, that was me: "new hire onboarding"'],
      },
    ]);
    expect(JSON.stringify(report)).not.toContain('123456789012');

    const md = await runCli(['report', alert.id!], ctx.env);
    expect(md.status).toBe(0);
    expect(md.stdout).toMatch(
      /^# Admin added \\\[click\\\]\(https\\\[:\\\]\/\/evil\\\[\.\\\]example\) \\<b\\>now\\<\/b\\>$/m,
    );
    expect(md.stdout).toMatch(/\*\*Outcome:\*\* confirmed_verified/);
    expect(md.stdout).toMatch(
      /\*\*Second factor:\*\* verified \(attempt 1\/3: rejected; attempt 2\/3: accepted\)/,
    );
    expect(md.stdout).toMatch(/^\*\*Answer:\*\* Yes, that was me: "new hire onboarding" \(20\S+\)/m);
    expect(md.stdout).toMatch(/\*\*Time to first answer:\*\* \d+s · \*\*to outcome:\*\* \d+s/);
    expect(md.stdout).toMatch(/## Summary \(machine-written by test-model, /);
    expect(md.stdout).toContain('| account | _(sensitive, withheld)_ |');
    for (const heading of ['## Timeline', '## Who acted', '## Transcript'])
      expect(md.stdout).toContain(heading);
    const rows = md.stdout
      .split('## Transcript')[1]!
      .split('\n')
      .filter((l) => /^\| 20/.test(l));
    expect(rows).toHaveLength(interview.transcript.length);
  });

  it('an unknown alert exits 1; --help documents the command', async () => {
    const missing = await runCli(['report', 'no-such-alert'], ctx.env);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/no alert no-such-alert is stored/);
    const help = await runCli(['report', '--help'], ctx.env);
    expect(help.stdout).toMatch(/Exit codes: 0 printed, 1 no such alert/);
  });
});
