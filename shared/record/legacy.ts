import { OUTCOMES, type Outcome } from '../constants';
import type {
  EmployeeRef,
  EventFields,
  EventKind,
  InterviewEvent,
  OperatorActionName,
  SecondFactorCheck,
  StaleReason,
} from './events';

/**
 * Records stored before events were typed: entries of `{at, actor, kind, text}` whose facts were
 * only in the prose. This module and the renderer are the only code that may look at that prose:
 * it turns each old entry into the typed event whose rendering the old text was (the prose formats
 * are fixed, the workflow wrote them), taking facts from the alert document where they are data
 * there. Text in no known format is kept, shown and never read: a `legacy_note`.
 */

/** An entry as records written before typed events hold it (transcript or audit). */
export interface LegacyEntry {
  at: string;
  actor: string;
  kind: string;
  text: string;
  machineWritten?: boolean;
  key?: string;
  /** Audit entries of model calls carried their facts here. */
  modelCall?: { purpose: string; outcome: string; latencyMs: number; attempt: number; model?: string };
}

/** What the alert document knows, as data, that an old entry's prose only repeated. */
export interface LegacyContext {
  alert: { type: string; title: string; severity: string; source: string; employee: EmployeeRef };
  /** The interview DM, if one was sent. */
  dm?: { channel?: string; ts?: string };
  /** The id of the suppression an alert created (a verified confirmation), if it is stored. */
  suppressionCreatedBy?(alertId: string): string | undefined;
  alertId: string;
}

type Upgraded = { [K in EventKind]: { kind: K; fields: EventFields[K] } }[EventKind];
type Parser = (text: string, ctx: LegacyContext, earlier: readonly string[]) => Upgraded | undefined;

const ACTIONS: readonly OperatorActionName[] = ['approve', 'skip', 'escalate', 'close', 'cancel'];
const CHECKS: readonly SecondFactorCheck[] = [
  'accepted',
  'rejected',
  'replayed',
  'locked',
  'not_enrolled',
  'unavailable',
];
const isAction = (s: string | undefined): s is OperatorActionName =>
  ACTIONS.includes(s as OperatorActionName);
const isOutcome = (s: string | undefined): s is Outcome => OUTCOMES.includes(s as Outcome);
const answerOf = (s: string | undefined) =>
  s === 'confirmed' || s === 'denied' ? (s as 'confirmed' | 'denied') : undefined;

/** A person as old prose wrote them: `<@U…>` or as given (`U…`, `cli:ana`). */
export function legacyActor(s: string): string {
  return /^<@([UW][A-Z0-9]+)(\|[^>]*)?>$/.exec(s)?.[1] ?? s;
}

const of = <K extends EventKind>(kind: K, fields: EventFields[K]): Upgraded => ({ kind, fields }) as Upgraded;
const m = (re: RegExp, text: string) => re.exec(text) ?? undefined;

/** Old kind → the typed event its text rendered. */
const PARSERS: Record<string, Parser> = {
  alert_received: (_t, { alert }) =>
    of('alert_received', {
      title: alert.title,
      severity: alert.severity,
      alertSource: alert.source,
      alertType: alert.type,
    }),
  disabled_by_policy: (t, { alert }) => {
    const x = m(/^interviews are off for .* \(([^()]*)\)$/s, t);
    return x && of('disabled_by_policy', { alertType: alert.type, policySource: x[1]! });
  },
  unknown_employee: (_t, { alert }) => of('unknown_employee', { employee: alert.employee }),
  policy: (t) => {
    const x = m(/^policy (.*); employee <@([UW][A-Z0-9]+)>$/s, t);
    return x && of('policy', { policySource: x[1]!, employee: { slackUserId: x[2]! } });
  },
  suppressed: (t, ctx) => {
    const x = m(/^matches a verified confirmation from alert (\S+)$/, t);
    const suppressionId = x && ctx.suppressionCreatedBy?.(x[1]!);
    return x && suppressionId ? of('suppressed', { suppressionId, createdByAlertId: x[1]! }) : undefined;
  },
  approval_refused: (t, { alert }) => {
    const x = m(/^(.*) is not an approver of .*: (\w+) ignored$/s, t);
    return x && isAction(x[2])
      ? of('approval_refused', { operator: legacyActor(x[1]!), action: x[2], alertType: alert.type })
      : undefined;
  },
  approval_timeout: (t) => {
    const x = m(/^no operator decided within (.+): (interview|skip)$/s, t);
    return x && of('approval_timeout', { timeout: x[1]!, onTimeout: x[2] as 'interview' | 'skip' });
  },
  dm_sent: (t, { dm }) =>
    t === 'asked the employee in a direct message'
      ? of('dm_sent', { ...(dm?.channel ? { channel: dm.channel } : {}), ...(dm?.ts ? { ts: dm.ts } : {}) })
      : undefined,
  reminder: (t) => {
    const x = m(/^reminder (\d+) sent$/, t);
    return x && of('reminder', { n: Number(x[1]) });
  },
  deadline: (t) =>
    t === 'no answer before the deadline'
      ? of('deadline', { waitingFor: 'answer' })
      : t === 'no valid second-factor code before the deadline'
        ? of('deadline', { waitingFor: 'second_factor' })
        : undefined,
  employee_answer: (t) => {
    const x = m(/^(Yes, that was me|No, it wasn't me)(?:: "(.*)")?$/s, t);
    if (!x) return undefined;
    const answer = x[1]!.startsWith('Yes') ? 'confirmed' : 'denied';
    return of('employee_answer', { answer, ...(x[2] !== undefined ? { justification: x[2] } : {}) });
  },
  unauthorized_response: (t) => {
    const answer = answerOf(
      m(/^tried to answer "(\w+)" but is not the interviewed employee; ignored$/, t)?.[1],
    );
    return answer && of('unauthorized_response', { answer });
  },
  late_response: (t) => {
    const answer = answerOf(m(/^answered "(\w+)" after the interview had moved on; ignored$/, t)?.[1]);
    return answer && of('late_response', { answer });
  },
  second_factor: (t) => {
    if (t === 'not required by the policy') return of('second_factor_not_required', {});
    const x = m(/^attempt (\d+)\/(\d+): (\w+)(?: \(locked until (.*)\))?$/, t);
    if (!x || !CHECKS.includes(x[3] as SecondFactorCheck)) return undefined;
    return of('second_factor_attempt', {
      attempt: Number(x[1]),
      limit: Number(x[2]),
      result: x[3] as SecondFactorCheck,
      ...(x[4] ? { lockedUntil: x[4] } : {}),
    });
  },
  not_enrolled: (t) => {
    const x = m(/^no active second factor; policy says (escalate|accept)$/, t);
    return x && of('not_enrolled', { whenNotEnrolled: x[1] as 'escalate' | 'accept' });
  },
  suppression: (t, ctx) => {
    const x = m(/^similar alerts suppressed until (\S+)$/, t);
    const suppressionId = x && ctx.suppressionCreatedBy?.(ctx.alertId);
    return x && suppressionId ? of('suppression_created', { suppressionId, expiresAt: x[1]! }) : undefined;
  },
  operator_action: (t) => {
    const x = m(/^(\w+)(?:: (.*))?$/s, t);
    return x && isAction(x[1])
      ? of('operator_action', { action: x[1], ...(x[2] !== undefined ? { note: x[2] } : {}) })
      : undefined;
  },
  self_action_refused: (t) => {
    // The workflow's wording, then the bot's (with the pressing operator as the entry's actor).
    const x = m(/^(.*) is the subject of this alert: (\w+) refused$/s, t);
    if (x) return of('self_action_refused', { operator: legacyActor(x[1]!), action: x[2]! });
    return undefined;
  },
  stale_operator_action: (t) => {
    const x = m(/^(\w+) by (.*?) ignored: (.*)$/s, t);
    if (!x || !isAction(x[1])) return undefined;
    const base = { operator: legacyActor(x[2]!), action: x[1] };
    const why = x[3]!;
    const ended = m(/^the interview already ended ?(\w*)$/, why);
    if (ended)
      return of('stale_operator_action', {
        ...base,
        reason: 'interview_ended',
        ...(isOutcome(ended[1]) ? { outcome: ended[1] } : {}),
      });
    const decided = m(/^already decided \((\w+) by (.*)\)$/, why);
    if (decided && isAction(decided[1]))
      return of('stale_operator_action', {
        ...base,
        reason: 'already_decided',
        decision: decided[1],
        decidedBy: legacyActor(decided[2]!),
      });
    const waiting = m(/^the interview is not waiting for approval \((\w+)\)$/, why);
    if (waiting)
      return of('stale_operator_action', { ...base, reason: 'not_awaiting_approval', phase: waiting[1]! });
    if (why === 'too late')
      return of('stale_operator_action', { ...base, reason: 'too_late' as StaleReason });
    return undefined;
  },
  outcome: (t) => (isOutcome(t) ? of('outcome', { outcome: t }) : undefined),
  awaiting_close: (t) =>
    t.startsWith('open until an operator closes it') ? of('awaiting_close', {}) : undefined,
  resolution_timeout: (t) => {
    const x = m(/^no operator closed the escalation within (.+)$/s, t);
    return x && of('resolution_timeout', { waited: x[1]! });
  },
  resolved: (t) => {
    const x = m(/^escalation closed by (.+)$/s, t);
    return x && of('resolved', { closedBy: legacyActor(x[1]!) });
  },
  pagerduty: (t) => {
    const x = m(/^incident (triggered|resolved) \(dedup key (.*)\)$/, t);
    return (
      x &&
      of('delivery', {
        target: 'pagerduty',
        event: x[1] === 'triggered' ? 'escalated' : 'resolved',
        status: 'delivered',
        dedupKey: x[2]!,
      })
    );
  },
  webhook: (t) => {
    const x = m(/^escalation\.(escalated|resolved) delivered$/, t);
    return (
      x &&
      of('delivery', {
        target: 'webhook',
        event: x[1] as 'escalated' | 'resolved',
        status: 'delivered',
      })
    );
  },
  // A failed delivery did not say which event: a `resolved` entry before it means the close's.
  escalation_failed: (t, _ctx, earlier) => {
    const x = m(/^(PagerDuty|webhook): (.*)$/s, t);
    return (
      x &&
      of('delivery', {
        target: x[1] === 'PagerDuty' ? 'pagerduty' : 'webhook',
        event: earlier.includes('resolved') ? 'resolved' : 'escalated',
        status: 'failed',
        error: x[2]!,
      })
    );
  },
  cancelled: (t) => {
    if (t === 'the workflow was cancelled in Temporal (Web UI or CLI)') return of('cancelled', {});
    const x = m(/^cancelled in Temporal after the outcome \((\w+)\), which stands$/, t);
    return x && isOutcome(x[1]) ? of('cancelled', { afterOutcome: x[1] }) : undefined;
  },
  failed_closed: (t) => failure('failed_closed', t),
  failure_after_outcome: (t) => failure('failure_after_outcome', t),

  // The follow-up conversation.
  follow_ups_proposed: (t) => {
    const x = m(/^(\d+) follow-up question\(s\) shown for approval$/, t);
    return x && of('follow_ups_proposed', { count: Number(x[1]) });
  },
  follow_up_guard: (t) => of('follow_up_guard', { note: t }),
  follow_up_question: (t) => of('follow_up_question', { question: t }),
  follow_up_answer: (t) => of('follow_up_answer', { answer: t }),
  employee_message: (t) => of('employee_message', { message: t }),
  employee_messages_unrecorded: (t) => {
    const x = m(/^(\d+) more thread message\(s\) counted, not recorded \(the first (\d+) are\)$/, t);
    return x && of('employee_messages_unrecorded', { unrecorded: Number(x[1]), recordedLimit: Number(x[2]) });
  },
  unauthorized_reply: (t) =>
    t === 'wrote in the interview thread but is not the interviewed employee; ignored'
      ? of('unauthorized_reply', {})
      : undefined,
  follow_ups_stopped: (t) => {
    const x = m(/^stopped by (.*); no more questions$/s, t);
    return x && of('follow_ups_stopped', { by: legacyActor(x[1]!) });
  },
  follow_up_timeout: (t) => {
    const x = m(/^no answer within (.+); no more questions$/s, t);
    return x && of('follow_up_timeout', { timeout: x[1]! });
  },
  follow_up_enough: (t) =>
    t === 'the model has enough context: no more questions' ? of('follow_up_enough', {}) : undefined,
  follow_ups_failed: (t) => {
    const x = m(/^follow-ups stopped: (.*)$/s, t);
    return x && of('follow_ups_failed', { error: x[1]! });
  },
  summary: (t) => {
    const stored = m(
      /^machine-written summary stored(?: \(model (.*?)\))?(?:; (\d+) link\(s\), mention\(s\) or markup removed)?$/,
      t,
    );
    if (stored)
      return of('summary', {
        stored: true,
        ...(stored[1] ? { model: stored[1] } : {}),
        ...(stored[2] ? { defanged: Number(stored[2]) } : {}),
      });
    const missing = m(/^no summary: (.*)$/s, t);
    return missing && of('summary', { stored: false, reason: missing[1]! });
  },

  // The audit trail (entries from the bot and the CLI).
  unauthorized_click: (t) => {
    const x = m(/^pressed "(.*)" but is not the interviewed employee; refused$/s, t);
    return x && of('unauthorized_click', { button: x[1]! });
  },
  unauthorized_operator_action: (t) => {
    const x = m(/^pressed "(.*)" but is not a configured operator; refused$/s, t);
    return x && of('unauthorized_operator_action', { button: x[1]! });
  },
  suppression_revoked: (t) => {
    const x = m(/^revoked the suppression (\S+?)(?:: (.*))?$/s, t);
    return (
      x && of('suppression_revoked', { suppressionId: x[1]!, ...(x[2] !== undefined ? { note: x[2] } : {}) })
    );
  },
};

function failure(kind: 'failed_closed' | 'failure_after_outcome', t: string): Upgraded | undefined {
  const cut = t.lastIndexOf(': ');
  return cut > 0 ? of(kind, { step: t.slice(0, cut), errorType: t.slice(cut + 2) }) : undefined;
}

/** The bot's wording of a self-action click: `pressed "<button>" on an alert about themselves; refused`. */
function botSelfAction(entry: LegacyEntry): Upgraded | undefined {
  const x = m(/^pressed "(\w+)" on an alert about themselves; refused$/, entry.text);
  return x && of('self_action_refused', { operator: legacyActor(entry.actor), action: x[1]! });
}

/** An audit entry of a model call: its facts were data already (`modelCall`). */
function modelCall(entry: LegacyEntry): Upgraded | undefined {
  const c = entry.modelCall;
  const purpose = c?.purpose;
  if (!c || (purpose !== 'plan_questions' && purpose !== 'next_question' && purpose !== 'summary'))
    return undefined;
  // The text was `<purpose> (attempt n): <ok (model m) | kind: message> in <ms> ms`: the message is the detail.
  const said = m(/^[^:]*: (.*) in \d+ ms$/s, entry.text)?.[1];
  const detail = said?.startsWith(`${c.outcome}: `) ? said.slice(c.outcome.length + 2) : undefined;
  return of('model_call', {
    purpose,
    result: c.outcome,
    latencyMs: c.latencyMs,
    attempt: c.attempt,
    ...(c.model ? { model: c.model } : {}),
    ...(detail ? { detail } : {}),
  });
}

/**
 * The typed event an old entry was. `earlier` are the kinds of the entries before it in the same
 * record (some old prose left a fact to its context). Unknown kinds and texts become `legacy_note`.
 */
export function upgradeEntry(
  entry: LegacyEntry,
  ctx: LegacyContext,
  earlier: readonly string[] = [],
): InterviewEvent & { key?: string } {
  const text = typeof entry.text === 'string' ? entry.text : '';
  const parsed =
    entry.kind === 'model_call'
      ? modelCall(entry)
      : ((entry.kind === 'self_action_refused' ? botSelfAction(entry) : undefined) ??
        PARSERS[entry.kind]?.(text, ctx, earlier));
  const fields: Upgraded = parsed ?? of('legacy_note', { legacyKind: entry.kind, text });
  return {
    at: entry.at,
    actor: legacyActor(entry.actor),
    kind: fields.kind,
    ...fields.fields,
    ...(entry.machineWritten ? { machineWritten: true } : {}),
    ...(entry.key !== undefined ? { key: entry.key } : {}),
  } as InterviewEvent & { key?: string };
}

/** A whole old transcript, in order; positions without a key get the workflow's numbering. */
export function upgradeTranscript(
  entries: readonly LegacyEntry[],
  ctx: LegacyContext,
): (InterviewEvent & { key: string })[] {
  return entries.map(
    (e, i) =>
      upgradeEntry(
        { ...e, key: e.key ?? String(i + 1) },
        ctx,
        entries.slice(0, i).map((x) => x.kind),
      ) as InterviewEvent & {
        key: string;
      },
  );
}
