import { progressLine } from '../../lib/progress';
import { percentile } from '../../report/stats';
import type { AlertStats } from '../../report/stats';
import { parseAlert } from '../../shared/alert';
import type { Outcome } from '../../shared/constants';
import type { EmployeeAnswer } from '../../shared/messages';
import { type AlertDoc, collections } from '../../store/collections';
import { harnessWithCli, runCli } from '../helpers/cli';
import { BOB, alertFor, answer, dmSent, start } from '../helpers/interview-harness';
import { type EventFields, type EventKind, event } from '../../shared/record/events';

/** `vouch stats` over real interviews and stored alerts with known timings, on FerretDB. */
describe('vouch stats', () => {
  const ctx = harnessWithCli();

  /** A stored alert of `type` whose employee answered `answerAfterS` seconds after the DM (or never). */
  const stored = (
    n: number,
    type: string,
    outcome: Outcome | null,
    answer?: { answer: EmployeeAnswer; afterS: number; then?: EmployeeAnswer },
    createdAt = new Date(),
  ): AlertDoc => {
    const t0 = Date.parse('2026-11-20T10:00:00Z') + n * 3600_000;
    const at = (s: number) => new Date(t0 + s * 1000).toISOString();
    const entry = <K extends EventKind>(kind: K, fields: EventFields[K], s: number, i: number) => ({
      ...event(kind, 'vouch', at(s), fields),
      key: `${i}`,
    });
    const transcript: AlertDoc['transcript'] = [
      entry('alert_received', { title: 'x', severity: 'high', alertSource: 'test', alertType: type }, 0, 1),
      entry('dm_sent', {}, 1, 2),
    ];
    if (answer) transcript.push(entry('employee_answer', { answer: answer.answer }, 1 + answer.afterS, 3));
    if (answer?.then)
      transcript.push(entry('employee_answer', { answer: answer.then }, 2 + answer.afterS, 5));
    if (outcome) transcript.push(entry('outcome', { outcome }, 5000, 4));
    const input = parseAlert({ ...alertFor(BOB, { type }), id: `stat-${type}-${n}` });
    return {
      _id: input.id,
      workflowId: `alert-${input.id}`,
      input,
      phase: 'closed',
      outcome,
      createdAt,
      updatedAt: createdAt,
      transcript,
    };
  };

  it('counts interviews, response rate, answers, median and p90 time to answer, escalations, per type', async () => {
    // Two real interviews: their transcripts are what the numbers read.
    const denied = await start(ctx.h, alertFor(BOB, { type: 'okta.live' }));
    await dmSent(ctx.h, denied);
    await answer(denied, BOB.id, 'denied');
    await denied.result();
    const silent = await start(ctx.h, alertFor(BOB, { type: 'okta.live' }));
    await silent.result(); // no answer: no_response after 4 h of skipped time

    // Ten alerts of aws.tuned, answered after 10, 20, … 80 s (8 of them), 2 never answered.
    const docs = [1, 2, 3, 4, 5, 6, 7, 8].map((i) =>
      stored(i, 'aws.tuned', i === 8 ? 'denied' : 'confirmed_verified', {
        answer: i === 8 ? 'denied' : 'confirmed',
        afterS: i * 10,
      }),
    );
    docs.push(stored(9, 'aws.tuned', 'no_response'), stored(10, 'aws.tuned', null));
    docs.push(
      stored(11, 'aws.tuned', 'denied', { answer: 'denied', afterS: 1 }, new Date('2020-01-01T00:00:00Z')),
    ); // too old
    // "Yes", then "someone is asking me to do this" from the modal: counted as coerced, not confirmed.
    docs.push(
      stored(12, 'okta.coached', 'coercion_reported', { answer: 'confirmed', afterS: 5, then: 'coerced' }),
    );
    await collections(ctx.h.mongo.db).alerts.insertMany(docs);

    const run = await runCli(['stats', '--since', '7d', '--json'], ctx.env);
    expect(run.status).toBe(0);
    expect(run.stderr).toBe(''); // no progress line: stderr is not a terminal
    const { total, byType } = JSON.parse(run.stdout) as { total: AlertStats; byType: AlertStats[] };
    const tuned = byType.find((s) => s.type === 'aws.tuned')!;
    expect(tuned).toEqual({
      type: 'aws.tuned',
      alerts: 10,
      interviews: 10,
      answered: 8,
      responseRate: 0.8,
      confirmed: 7,
      denied: 1,
      coerced: 0,
      noResponse: 1,
      medianTimeToAnswerMs: 40_000,
      p90TimeToAnswerMs: 80_000,
      escalations: 2,
      open: 1,
      outcomes: { confirmed_verified: 7, denied: 1, no_response: 1 },
    });
    expect(byType.find((s) => s.type === 'okta.live')).toMatchObject({
      alerts: 2,
      interviews: 2,
      answered: 1,
      responseRate: 0.5,
      denied: 1,
      noResponse: 1,
      escalations: 2,
    });
    expect(byType.find((s) => s.type === 'okta.coached')).toMatchObject({
      answered: 1,
      confirmed: 0,
      coerced: 1,
      escalations: 1,
      outcomes: { coercion_reported: 1 },
    });
    expect(total).toMatchObject({
      type: '(all)',
      alerts: 13,
      interviews: 13,
      answered: 10,
      coerced: 1,
      escalations: 5,
    });

    const one = JSON.parse((await runCli(['stats', '--type', 'okta.live', '--json'], ctx.env)).stdout);
    expect(one.byType.map((s: AlertStats) => s.type)).toEqual(['okta.live']);
    const older = JSON.parse((await runCli(['stats', '--since', '2019-12-31', '--json'], ctx.env)).stdout);
    expect(older.total.alerts).toBe(14);

    const table = await runCli(['stats', '--since', '7d'], ctx.env);
    expect(table.stdout).toMatch(
      /^type\s+alerts\s+interviews\s+response\s+confirmed\s+denied\s+someone asked\s+no response\s+median answer\s+p90 answer\s+escalations\s+open$/m,
    );
    expect(table.stdout).toMatch(/^aws\.tuned\s+10\s+10\s+80%\s+7\s+1\s+0\s+1\s+40s\s+1m 20s\s+2\s+1$/m);
    expect(table.stdout).toMatch(/^\(all\)\s+13\s/m);
  });

  it('a bad --since is a usage error (exit 2)', async () => {
    const run = await runCli(['stats', '--since', 'last tuesday'], ctx.env);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/--since "last tuesday": expected a duration back such as "7d"/);
  });

  it('percentiles are nearest-rank; the progress line is drawn on a terminal only', () => {
    expect(percentile([], 50)).toBeNull();
    expect(percentile([5], 90)).toBe(5);
    expect(percentile([1, 2, 3, 4], 50)).toBe(2);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90)).toBe(9);
    const written: string[] = [];
    const tty = { isTTY: true, write: (s: string) => written.push(s) } as unknown as NodeJS.WriteStream;
    const p = progressLine('reading alerts', tty);
    p.update(50, 100);
    p.done();
    expect(written[0]).toBe('\rreading alerts [############............] 50/100');
    expect(written[1]).toBe('\r\x1b[2K');
    const pipe = { isTTY: false, write: (s: string) => written.push(s) } as unknown as NodeJS.WriteStream;
    progressLine('x', pipe).update(1, 2);
    expect(written).toHaveLength(2);
  });
});
