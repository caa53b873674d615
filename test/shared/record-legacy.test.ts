import { event, type InterviewEvent } from '../../shared/record/events';
import { type LegacyContext, upgradeEntry, upgradeTranscript } from '../../shared/record/legacy';
import { renderEvent } from '../../shared/record/render';

const AT = '2026-11-21T10:00:00.000Z';
const ctx: LegacyContext = {
  alertId: 'a-1',
  alert: {
    type: 'aws.root_login',
    title: 'Root login (console)',
    severity: 'high',
    source: 'CloudTrail',
    employee: { email: 'ana@example.com' },
  },
  dm: { channel: 'D1', ts: '1.2' },
  suppressionCreatedBy: (id) =>
    id === 'a-0' ? 'U0ANA:aws.root_login:fp0' : id === 'a-1' ? 'U0ANA:aws.root_login:fp1' : undefined,
};

/** Typed events, and the kind the release before typed events wrote for each. */
const SAMPLES: [string, InterviewEvent][] = [
  [
    'alert_received',
    event('alert_received', 'vouch', AT, {
      title: 'Root login (console)',
      severity: 'high',
      alertSource: 'CloudTrail',
      alertType: 'aws.root_login',
    }),
  ],
  [
    'disabled_by_policy',
    event('disabled_by_policy', 'vouch', AT, {
      alertType: 'aws.root_login',
      policySource: 'policies/aws.root_login',
    }),
  ],
  ['unknown_employee', event('unknown_employee', 'vouch', AT, { employee: { email: 'ana@example.com' } })],
  [
    'policy',
    event('policy', 'vouch', AT, { policySource: 'policies/default', employee: { slackUserId: 'U0ANA' } }),
  ],
  [
    'suppressed',
    event('suppressed', 'vouch', AT, { suppressionId: 'U0ANA:aws.root_login:fp0', createdByAlertId: 'a-0' }),
  ],
  [
    'approval_refused',
    event('approval_refused', 'vouch', AT, {
      operator: 'U0BOB',
      action: 'approve',
      alertType: 'aws.root_login',
    }),
  ],
  ['approval_timeout', event('approval_timeout', 'vouch', AT, { timeout: '4h', onTimeout: 'skip' })],
  ['dm_sent', event('dm_sent', 'vouch', AT, { channel: 'D1', ts: '1.2' })],
  ['reminder', event('reminder', 'vouch', AT, { n: 2 })],
  ['deadline', event('deadline', 'vouch', AT, { waitingFor: 'second_factor' })],
  [
    'employee_answer',
    event('employee_answer', 'U0ANA', AT, { answer: 'confirmed', justification: 'deploying: "v2"' }),
  ],
  ['employee_answer', event('employee_answer', 'U0ANA', AT, { answer: 'denied' })],
  ['unauthorized_response', event('unauthorized_response', 'U0BOB', AT, { answer: 'denied' })],
  ['late_response', event('late_response', 'U0ANA', AT, { answer: 'confirmed' })],
  ['second_factor', event('second_factor_not_required', 'vouch', AT, {})],
  [
    'second_factor',
    event('second_factor_attempt', 'vouch', AT, {
      attempt: 3,
      limit: 3,
      result: 'locked',
      lockedUntil: '2026-11-21T11:00:00.000Z',
    }),
  ],
  ['not_enrolled', event('not_enrolled', 'vouch', AT, { whenNotEnrolled: 'escalate' })],
  [
    'suppression',
    event('suppression_created', 'vouch', AT, {
      suppressionId: 'U0ANA:aws.root_login:fp1',
      expiresAt: '2026-11-28T10:00:00.000Z',
    }),
  ],
  [
    'operator_action',
    event('operator_action', 'cli:ana', AT, { action: 'escalate', note: 'looks odd: call her' }),
  ],
  ['self_action_refused', event('self_action_refused', 'vouch', AT, { operator: 'U0ANA', action: 'close' })],
  [
    'stale_operator_action',
    event('stale_operator_action', 'vouch', AT, {
      operator: 'U0BOB',
      action: 'approve',
      reason: 'interview_ended',
      outcome: 'denied',
    }),
  ],
  [
    'stale_operator_action',
    event('stale_operator_action', 'vouch', AT, {
      operator: 'cli:bo',
      action: 'skip',
      reason: 'already_decided',
      decision: 'approve',
      decidedBy: 'U0BOB',
    }),
  ],
  [
    'stale_operator_action',
    event('stale_operator_action', 'vouch', AT, {
      operator: 'U0BOB',
      action: 'skip',
      reason: 'not_awaiting_approval',
      phase: 'awaiting_response',
    }),
  ],
  [
    'stale_operator_action',
    event('stale_operator_action', 'vouch', AT, { operator: 'U0BOB', action: 'skip', reason: 'too_late' }),
  ],
  ['outcome', event('outcome', 'vouch', AT, { outcome: 'second_factor_failed' })],
  ['awaiting_close', event('awaiting_close', 'vouch', AT, {})],
  ['resolution_timeout', event('resolution_timeout', 'vouch', AT, { waited: '30 days' })],
  ['resolved', event('resolved', 'vouch', AT, { closedBy: 'U0BOB' })],
  [
    'pagerduty',
    event('delivery', 'vouch', AT, {
      target: 'pagerduty',
      event: 'escalated',
      status: 'delivered',
      dedupKey: 'a-1',
    }),
  ],
  ['webhook', event('delivery', 'vouch', AT, { target: 'webhook', event: 'resolved', status: 'delivered' })],
  [
    'escalation_failed',
    event('delivery', 'vouch', AT, {
      target: 'webhook',
      event: 'escalated',
      status: 'failed',
      error: 'HTTP 500: nope',
    }),
  ],
  ['cancelled', event('cancelled', 'vouch', AT, {})],
  ['cancelled', event('cancelled', 'vouch', AT, { afterOutcome: 'denied' })],
  [
    'failed_closed',
    event('failed_closed', 'vouch', AT, { step: 'sendInterview: slack', errorType: 'SlackError' }),
  ],
  [
    'failure_after_outcome',
    event('failure_after_outcome', 'vouch', AT, { step: 'awaitClose', errorType: 'TimeoutFailure' }),
  ],
  ['follow_ups_proposed', event('follow_ups_proposed', 'vouch', AT, { count: 2 })],
  ['follow_up_guard', event('follow_up_guard', 'vouch', AT, { note: 'a question was dropped' })],
  [
    'follow_up_question',
    event('follow_up_question', 'vouch', AT, { question: 'Why at 3am?' }, { machineWritten: true }),
  ],
  ['follow_up_answer', event('follow_up_answer', 'U0ANA', AT, { answer: 'on call' })],
  ['employee_message', event('employee_message', 'U0ANA', AT, { message: 'hi' })],
  [
    'employee_messages_unrecorded',
    event('employee_messages_unrecorded', 'vouch', AT, { unrecorded: 10, recordedLimit: 50 }),
  ],
  ['unauthorized_reply', event('unauthorized_reply', 'U0BOB', AT, {})],
  ['follow_ups_stopped', event('follow_ups_stopped', 'vouch', AT, { by: 'U0BOB' })],
  ['follow_up_timeout', event('follow_up_timeout', 'vouch', AT, { timeout: '1h' })],
  ['follow_up_enough', event('follow_up_enough', 'vouch', AT, {})],
  ['follow_ups_failed', event('follow_ups_failed', 'vouch', AT, { error: 'slack: ratelimited' })],
  ['summary', event('summary', 'vouch', AT, { stored: true, model: 'gpt-x', defanged: 2 })],
  ['summary', event('summary', 'vouch', AT, { stored: false, reason: 'turned off by the policy' })],
  ['unauthorized_click', event('unauthorized_click', 'U0BOB', AT, { button: 'vouch_confirm' })],
  ['unauthorized_operator_action', event('unauthorized_operator_action', 'U0BOB', AT, { button: 'close' })],
  [
    'suppression_revoked',
    event('suppression_revoked', 'cli:ana', AT, { suppressionId: 'U0ANA:t:fp', note: 'left' }),
  ],
];

/** The actor as old records wrote a Slack user: a mention. */
const oldActor = (a: string) => (/^U/.test(a) ? `<@${a}>` : a);

describe('legacy records', () => {
  it.each(SAMPLES.map(([oldKind, e]) => [e.kind, oldKind, e] as const))(
    'the old %s entry (kind %s) becomes the typed event whose text it was',
    (_kind, oldKind, e) => {
      const old = {
        at: e.at,
        actor: oldActor(e.actor),
        kind: oldKind,
        text: renderEvent(e),
        key: '7',
        ...(e.machineWritten ? { machineWritten: true } : {}),
      };
      expect(upgradeEntry(old, ctx)).toEqual({ ...e, key: '7' });
    },
  );

  it('reads the old wording where it differed: operators unmentioned, the bot’s self-action, model calls', () => {
    expect(
      upgradeEntry(
        {
          at: AT,
          actor: 'vouch',
          kind: 'self_action_refused',
          text: 'U0ANA is the subject of this alert: close refused',
        },
        ctx,
      ),
    ).toMatchObject({ kind: 'self_action_refused', operator: 'U0ANA', action: 'close' });
    expect(
      upgradeEntry(
        {
          at: AT,
          actor: '<@U0ANA>',
          kind: 'self_action_refused',
          text: 'pressed "escalate" on an alert about themselves; refused',
        },
        ctx,
      ),
    ).toMatchObject({ kind: 'self_action_refused', actor: 'U0ANA', operator: 'U0ANA', action: 'escalate' });
    expect(
      upgradeEntry({ at: AT, actor: 'vouch', kind: 'resolved', text: 'escalation closed by cli:ana' }, ctx),
    ).toMatchObject({ kind: 'resolved', closedBy: 'cli:ana' });
    expect(
      upgradeEntry(
        {
          at: AT,
          actor: 'vouch',
          kind: 'model_call',
          text: 'summary (attempt 2): timeout: no answer in 30 s in 30012 ms',
          modelCall: { purpose: 'summary', outcome: 'timeout', latencyMs: 30012, attempt: 2, model: 'm' },
        },
        ctx,
      ),
    ).toEqual(
      event('model_call', 'vouch', AT, {
        purpose: 'summary',
        result: 'timeout',
        latencyMs: 30012,
        attempt: 2,
        model: 'm',
        detail: 'no answer in 30 s',
      }),
    );
  });

  it('keeps what it cannot read as a legacy note, text and kind as they were', () => {
    expect(
      upgradeEntry({ at: AT, actor: 'vouch', kind: 'second_factor', text: 'something older' }, ctx),
    ).toEqual(event('legacy_note', 'vouch', AT, { legacyKind: 'second_factor', text: 'something older' }));
    expect(upgradeEntry({ at: AT, actor: 'vouch', kind: 'whatever', text: 'x' }, ctx).kind).toBe(
      'legacy_note',
    );
    // A suppression whose id is not stored any more is a fact the prose cannot give.
    expect(
      upgradeEntry(
        {
          at: AT,
          actor: 'vouch',
          kind: 'suppressed',
          text: 'matches a verified confirmation from alert a-9',
        },
        ctx,
      ).kind,
    ).toBe('legacy_note');
  });

  it('a failed delivery after the close is the resolve’s; positions without a key are numbered', () => {
    const events = upgradeTranscript(
      [
        { at: AT, actor: 'vouch', kind: 'escalation_failed', text: 'PagerDuty: down' },
        { at: AT, actor: 'vouch', kind: 'resolved', text: 'escalation closed by U0BOB' },
        { at: AT, actor: 'vouch', kind: 'escalation_failed', text: 'PagerDuty: down' },
      ],
      ctx,
    );
    expect(events.map((e) => [e.key, e.kind === 'delivery' ? e.event : e.kind])).toEqual([
      ['1', 'escalated'],
      ['2', 'resolved'],
      ['3', 'resolved'],
    ]);
  });
});
