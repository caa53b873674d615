import {
  ApplicationFailure,
  CancellationScope,
  condition,
  isCancellation,
  log,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  upsertMemo,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities, MessageRef, PreparedInterview } from '../activities';
import { type AlertInput, InvalidAlertError, parseAlert } from '../shared/alert';
import { type Outcome, isEscalation } from '../shared/constants';
import { parseDuration } from '../shared/duration';
import {
  type EmployeeResponse,
  type InterviewPhase,
  type InterviewState,
  type OperatorAction,
  type SecondFactorResult,
  type SecondFactorSubmission,
  type TranscriptEntry,
  employeeResponse,
  interviewState,
  operatorAction,
  submitSecondFactor,
} from '../shared/messages';
import { type EventFields, type Note, event } from '../shared/record/events';
import { SEALED_CODE_PATTERN } from '../shared/sealed-code';
import { type Failure, describeFailure, failClosed, localStep } from './fail-closed';
import { followUpConversation } from './follow-ups';
import { showProgress } from './web-ui-details';

/**
 * How long a Slack or MongoDB step is retried before the interview fails closed. Outages of Slack
 * (5xx, rate limits) and MongoDB restarts last minutes, rarely more than an hour; past that, a person
 * must know now rather than whenever the outage ends, and an error retrying cannot fix (content a store
 * or Slack refuses that is not reported as permanent) is never retried in silence for longer.
 */
const STEP_BOUND = '1 hour';
const boundedActs = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  scheduleToCloseTimeout: STEP_BOUND,
  // Slack or MongoDB outages shorter than the bound are waited out.
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});
/** Short steps that only read or write MongoDB (and look up the employee): local activities. */
const boundedLocal = proxyLocalActivities<Activities>({
  startToCloseTimeout: '20 seconds',
  scheduleToCloseTimeout: STEP_BOUND,
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});
/**
 * Interviews started before the last line of defence have no failed_closed path: a bound would end
 * them as a failed workflow that nobody is told about, so their steps keep retrying without one.
 */
const legacyActs = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});
const legacyLocal = proxyLocalActivities<Activities>({
  startToCloseTimeout: '20 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});
/** Writing the transcript of an interview that failed closed: best effort, and soon. */
const localBestEffort = proxyLocalActivities<Activities>({
  startToCloseTimeout: '20 seconds',
  scheduleToCloseTimeout: '5 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});
/**
 * The interview's overall deadline is the current step's own deadline plus this margin: room for the
 * bounded Slack and MongoDB steps around it (the DM, reminders, the outcome), each at most STEP_BOUND.
 * Only an interview stuck in a way nothing else catches ever reaches it.
 */
const DEADLINE_MARGIN_MS = 6 * 3600_000;
/** In-flight interviews started before the last line of defence keep their recorded commands. */
const FAIL_CLOSED_PATCH = 'fail-closed';
/** Interviews started before the typed record keep their recorded commands and record no new events. */
const TYPED_RECORD_PATCH = 'typed-record';
/**
 * PagerDuty and webhooks: retried with backoff for about 18 minutes (12 attempts), then noted as failed.
 * Each attempt has more time than the 10 s POST timeout plus loading the report, so an attempt is not
 * cut off while its POST is in flight; delivery is still at least once (receivers dedupe by id).
 */
const deliveries = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '5 minutes',
    maximumAttempts: 12,
  },
});
/** How far ahead a deadline counted in working hours can lie (shared/working-hours.ts stops at 60 days). */
const WORKING_HOURS_REACH_MS = 61 * 86_400_000;
/** The least time the employee gets to enter a code after answering "Yes", even near the deadline. */
const SECOND_FACTOR_WAIT_MS = 15 * 60_000;
/** How long an escalation with PagerDuty or webhook targets waits for an operator to close it. */
const RESOLUTION_WAIT = '30 days';
const verifier = proxyActivities<Activities>({
  startToCloseTimeout: '15 seconds',
  retry: { initialInterval: '1 second', maximumAttempts: 3 },
});

export interface InterviewResult {
  alertId: string;
  outcome: Outcome;
  phase: InterviewPhase;
  suppressionId?: string;
  suppressedBy?: string;
  /** The operator who closed an escalation that had PagerDuty or webhook targets. */
  resolvedBy?: string;
}

/** An operator's action that ends the interview, unwinding whatever it was waiting for. */
class OperatorInterrupt extends Error {
  constructor(readonly action: OperatorAction) {
    super(`operator ${action.operator}: ${action.action}`);
  }
}

const OPERATOR_OUTCOME: Record<'skip' | 'escalate' | 'close' | 'cancel', Outcome> = {
  skip: 'skipped_by_operator',
  escalate: 'escalated_by_operator',
  close: 'closed_by_operator',
  cancel: 'closed_by_operator',
};

/**
 * One alert's interview, from the alert to a closed or escalated outcome. Deterministic: every I/O is
 * an activity, every wait a durable timer or a signal.
 */
export async function alertInterview(input: AlertInput): Promise<InterviewResult> {
  const guarded = patched(FAIL_CLOSED_PATCH);
  const typedRecord = patched(TYPED_RECORD_PATCH);
  const acts = guarded ? boundedActs : legacyActs;
  const local = guarded ? boundedLocal : legacyLocal;
  let alert: AlertInput;
  try {
    alert = parseAlert(input);
  } catch (err) {
    if (guarded) return failClosedOnInput(input, err);
    throw ApplicationFailure.create({
      type: 'InvalidAlertError',
      message: err instanceof InvalidAlertError ? err.message : String(err),
      nonRetryable: true,
    });
  }
  const { workflowId } = workflowInfo();

  // ---- state ---------------------------------------------------------------------------------
  let phase: InterviewPhase = 'starting';
  let outcome: Outcome | null = null;
  showProgress({ phase, outcome });
  const deadlines: InterviewState['deadlines'] = {};
  const transcript: TranscriptEntry[] = [];
  let pending: (TranscriptEntry & { key: string })[] = [];
  let persisted = 0;
  const seenIds = new Set<string>();
  let prepared: PreparedInterview | undefined;
  let answer: EmployeeResponse | undefined;
  let approval: OperatorAction | undefined;
  /** Approve/skip decisions not yet checked against the policy's approvers. */
  const approvalRequests: OperatorAction[] = [];
  let interrupt: OperatorAction | undefined;
  let resolution: OperatorAction | undefined;
  let verified = false;
  let attemptsUsed = 0;
  let lockedOut = false;
  let verifying: Promise<unknown> = Promise.resolve();
  /** Approve and skip count only while this is true: from the approval post until the decision. */
  let approvalOpen = false;
  /** The outcome is recorded and told (DM updated, escalation posted): the alert has ended. */
  let told = false;
  /** The overall deadline: when it passes with no outcome, the interview fails closed. */
  let overallDeadlineAt = Date.now() + DEADLINE_MARGIN_MS;
  let overdue = false;
  const interviewScope = new CancellationScope();

  const note: Note = (kind, actor, fields, extra = {}) => {
    const entry = event(kind, actor, new Date().toISOString(), fields, extra);
    transcript.push(entry);
    pending.push({ ...entry, key: `${transcript.length}` });
  };
  const employeeId = () => prepared?.employee?.slackUserId;
  const employeeLabel = () => {
    const e = prepared?.employee;
    return e
      ? e.name
        ? `${e.name} <@${e.slackUserId}>`
        : `<@${e.slackUserId}>`
      : describeRef(alert.employee);
  };
  /** An escalation with PagerDuty or webhook targets stays open until an operator closes it. */
  const awaitsResolution = () => {
    const targets = prepared?.policy.escalation;
    return outcome !== null && isEscalation(outcome) && Boolean(targets?.pagerDuty || targets?.webhook);
  };
  const attemptLimit = () => prepared?.policy.secondFactor.attempts ?? 3;

  const setPhase = async (next: InterviewPhase) => {
    phase = next;
    upsertSearchAttributes({ VouchPhase: [phase], ...(outcome ? { VouchOutcome: [outcome] } : {}) });
    upsertMemo({ phase, outcome, title: alert.title });
    showProgress({ phase, outcome, deadlines });
    await persist();
  };
  const persist = async (via = local) => {
    const entries = pending;
    pending = [];
    try {
      await localStep('recordProgress', () =>
        via.recordProgress({ alertId: alert.id, phase, outcome, entries, persistedBefore: persisted }),
      );
    } catch (err) {
      if (guarded) pending = [...entries, ...pending]; // written with the next attempt, not lost
      throw err;
    }
    persisted += entries.length;
  };
  /** Moves the overall deadline to the current step's own deadline plus the margin. */
  const extendDeadline = (stepEndsAt: number) => {
    // A step's deadline that is not a time (a bug, a bad schedule) leaves the overall deadline as it was.
    if (Number.isFinite(stepEndsAt))
      overallDeadlineAt = Math.max(overallDeadlineAt, stepEndsAt + DEADLINE_MARGIN_MS);
  };
  /** Cancels the interview's steps when the overall deadline passes before an outcome. */
  const watchDeadline = async () => {
    while (outcome === null) {
      const at = overallDeadlineAt;
      if (Date.now() >= at) {
        overdue = true;
        interviewScope.cancel();
        return;
      }
      await condition(() => outcome !== null || overallDeadlineAt !== at, at - Date.now());
    }
  };

  /** Waits for `done` (or the timeout); an operator's ending action interrupts any wait. */
  const waitFor = async (done: () => boolean, timeoutMs?: number): Promise<boolean> => {
    const until = timeoutMs === undefined ? undefined : Date.now() + timeoutMs;
    for (;;) {
      const met = await (until === undefined
        ? condition(() => done() || interrupt !== undefined).then(() => true)
        : condition(() => done() || interrupt !== undefined, Math.max(until - Date.now(), 1)));
      // An action that came before the employee was known is checked again now that they are.
      if (interrupt && guarded && isSubject(interrupt.operator)) {
        refuseSelfAction(interrupt);
        interrupt = undefined;
        if (met && !done() && (until === undefined || until > Date.now())) continue;
        return done();
      }
      if (interrupt) throw new OperatorInterrupt(interrupt);
      return met;
    }
  };

  // ---- messages ------------------------------------------------------------------------------
  setHandler(interviewState, () => ({
    phase,
    employee: employeeId() ?? null,
    outcome,
    deadlines: { ...deadlines },
    transcript: [...transcript],
  }));

  setHandler(employeeResponse, (r) => {
    if (seenIds.has(r.responseId)) return; // a redelivered click is applied once
    seenIds.add(r.responseId);
    if (!employeeId() || r.slackUserId !== employeeId()) {
      note('unauthorized_response', r.slackUserId, { answer: r.answer });
      return;
    }
    if (outcome || answer) {
      note('late_response', r.slackUserId, { answer: r.answer });
      return;
    }
    answer = r;
    note('employee_answer', r.slackUserId, {
      answer: r.answer,
      ...(r.justification ? { justification: r.justification } : {}),
    });
  });

  setHandler(operatorAction, (a) => {
    if (seenIds.has(a.actionId)) return;
    seenIds.add(a.actionId);
    note('operator_action', a.operator, { action: a.action, ...(a.note ? { note: a.note } : {}) });
    if (guarded) return checkOperatorAction(a);
    if (outcome) {
      if (a.action === 'cancel' || a.action === 'close') {
        followUps.stop(a.operator); // the outcome stands
        if (awaitsResolution()) resolution ??= a;
      }
      return;
    }
    if (a.action === 'approve') {
      if (phase === 'awaiting_approval' || phase === 'starting') approvalRequests.push(a);
    } else if (a.action === 'skip' && (phase === 'awaiting_approval' || phase === 'starting')) {
      approvalRequests.push(a);
    } else {
      interrupt ??= a;
    }
  });

  /**
   * The person the alert is about: by Slack id, email, the email's local part or the alert's username
   * (as resolved, or as the alert gives them), however the operator is written (`<@U…>`, `@ana`,
   * `cli:ana`). A namesake is refused too: another operator can act, never the subject.
   */
  const isSubject = (operator: string) => {
    const who = operator
      .trim()
      .toLowerCase()
      .replace(/^<@([a-z0-9]+)(\|[^>]*)?>$/, '$1')
      .replace(/^(cli:|@)/, '');
    const e = prepared?.employee;
    const emails = [e?.email, alert.employee.email].filter((x): x is string => x !== undefined);
    return [
      e?.slackUserId,
      alert.employee.slackUserId,
      alert.employee.username,
      ...emails,
      ...emails.map((m) => m.split('@')[0]),
    ].some((id) => id !== undefined && id !== '' && id.toLowerCase() === who);
  };
  const refuseSelfAction = (a: OperatorAction) =>
    note('self_action_refused', 'vouch', { operator: a.operator, action: a.action });
  type Stale = Omit<EventFields['stale_operator_action'], 'operator' | 'action'>;
  const ignoreStale = (a: OperatorAction, why: Stale) =>
    note('stale_operator_action', 'vouch', { operator: a.operator, action: a.action, ...why });
  /** Why a decision comes too late: already decided, or nobody decided in time. */
  const staleDecision = (): Stale =>
    approval
      ? { reason: 'already_decided', decision: approval.action, decidedBy: approval.operator }
      : { reason: 'too_late' };
  /**
   * Authority, checked here whatever sent the signal (Slack, the CLI, the Web UI): nobody acts on an
   * alert about themselves; approve and skip count only while the interview waits for approval; every
   * action in that phase goes through the policy's approvers (checked in awaitApproval).
   */
  const checkOperatorAction = (a: OperatorAction) => {
    if (isSubject(a.operator)) return refuseSelfAction(a);
    const decision = a.action === 'approve' || a.action === 'skip';
    if (outcome) {
      if (decision) return ignoreStale(a, { reason: 'interview_ended', outcome });
      if (a.action === 'cancel' || a.action === 'close') {
        followUps.stop(a.operator); // the outcome stands
        if (awaitsResolution()) resolution ??= a;
      }
      return;
    }
    if (approvalOpen) {
      approvalRequests.push(a);
      return;
    }
    if (decision)
      return ignoreStale(a, approval ? staleDecision() : { reason: 'not_awaiting_approval', phase });
    interrupt ??= a;
  };

  setHandler(
    submitSecondFactor,
    async (s: SecondFactorSubmission): Promise<SecondFactorResult> => {
      // One verification at a time: racing submissions cannot both spend the same attempt.
      const turn = verifying.then(async () => {
        await condition(() => phase === 'awaiting_second_factor' || outcome !== null);
        if (outcome !== null || verified || lockedOut || attemptsUsed >= attemptLimit())
          return { accepted: verified, attemptsLeft: 0 };
        attemptsUsed += 1;
        const { outcome: check, lockedUntil } = await verifier.verifySecondFactor({
          alertId: alert.id,
          workflowId,
          slackUserId: s.slackUserId,
          sealedCode: s.code,
        });
        verified = check === 'accepted';
        lockedOut = check === 'locked' || lockedUntil !== undefined;
        const left = verified || lockedOut ? 0 : attemptLimit() - attemptsUsed;
        note('second_factor_attempt', 'vouch', {
          attempt: attemptsUsed,
          limit: attemptLimit(),
          result: check,
          ...(lockedUntil ? { lockedUntil: String(lockedUntil) } : {}),
        });
        return { accepted: verified, attemptsLeft: left };
      });
      verifying = turn.catch(() => undefined);
      return turn;
    },
    {
      validator: (s: SecondFactorSubmission) => {
        if (!SEALED_CODE_PATTERN.test(s.code)) throw new Error('code must be sealed by the Vouch bot');
        if (!employeeId() || s.slackUserId !== employeeId())
          throw new Error('only the interviewed employee can answer');
        if (outcome !== null) throw new Error('this interview is already finished');
        if (answer?.answer === 'denied') throw new Error('this interview was answered "no"');
      },
    },
  );

  const followUps = followUpConversation({
    alertId: alert.id,
    workflowId,
    note,
    employeeId,
    policy: () => prepared?.policy,
    persist,
  });

  // ---- the interview ---------------------------------------------------------------------------
  const finish = async (result: Outcome, extra: Partial<InterviewResult> = {}): Promise<InterviewResult> => {
    outcome = result;
    note('outcome', 'vouch', { outcome: result });
    await setPhase(isEscalation(result) ? 'escalated' : 'closed');
    const posted = await acts.finishInterview({
      workflowId,
      alertId: alert.id,
      outcome: result,
      employeeLabel: employeeLabel(),
      dm,
      escalationChannel: prepared?.policy.escalation.channel,
      awaitsClose: awaitsResolution(),
    });
    told = true;
    if (typedRecord && posted.escalation) note('escalation_posted', 'vouch', posted.escalation);
    // PagerDuty and the webhook hear at once; the follow-up conversation (if any) comes after.
    if (awaitsResolution()) {
      note('awaiting_close', 'vouch', {});
      await notifyTargets('escalated');
    }
    await followUps.afterOutcome({ outcome: result, dm, answer, employeeLabel: employeeLabel() });
    const resolvedBy = awaitsResolution() ? await awaitClose() : undefined;
    return { alertId: alert.id, outcome: result, phase, ...extra, ...(resolvedBy ? { resolvedBy } : {}) };
  };

  /**
   * An escalation with PagerDuty or webhook targets stays open until an operator closes it; then
   * they hear so, and the post in the channel says who. Returns who closed it.
   */
  const awaitClose = async (): Promise<string | undefined> => {
    if (!(await condition(() => resolution !== undefined, RESOLUTION_WAIT))) {
      note('resolution_timeout', 'vouch', { waited: RESOLUTION_WAIT });
      await setPhase(phase);
      return undefined;
    }
    const closedBy = resolution!.operator;
    note('resolved', 'vouch', { closedBy });
    await notifyTargets('resolved');
    await acts.markEscalationClosed({
      workflowId,
      alertId: alert.id,
      outcome: outcome!,
      employeeLabel: employeeLabel(),
      closedBy,
    });
    return closedBy;
  };

  /**
   * Waits for an approve or skip from someone the policy lets decide, until the timeout. With
   * `approval.approvers`, a Slack user must be one of them or in one of their user groups; operators
   * acting through the CLI or the Temporal Web UI are trusted as whoever can reach Temporal.
   */
  const awaitApproval = async (approvers: string[] = [], timeoutMs: number): Promise<boolean> => {
    const until = Date.now() + timeoutMs;
    for (;;) {
      if (!(await waitFor(() => approvalRequests.length > 0, until - Date.now()))) return false;
      const request = approvalRequests.shift()!;
      if (await mayDecide(request.operator, approvers)) {
        if (guarded && request.action !== 'approve' && request.action !== 'skip') {
          interrupt = request; // escalate, close or cancel by an approver
          throw new OperatorInterrupt(request);
        }
        approval = request;
        return true;
      }
      note('approval_refused', 'vouch', {
        operator: request.operator,
        action: request.action,
        alertType: alert.type,
      });
      await setPhase(phase);
    }
  };
  const mayDecide = async (operator: string, approvers: string[]): Promise<boolean> => {
    if (approvers.length === 0 || !/^[UW][A-Z0-9]{2,}$/.test(operator) || approvers.includes(operator))
      return true;
    const groups = approvers.filter((id) => id.startsWith('S'));
    return groups.length > 0 && (await acts.isInUserGroups({ slackUserId: operator, groups }));
  };

  /** Tells the policy's PagerDuty service and webhook; a target that keeps failing is noted, not fatal. */
  const notifyTargets = async (event: 'escalated' | 'resolved') => {
    const targets = prepared!.policy.escalation;
    const failed = (target: 'pagerduty' | 'webhook') => (err: unknown) =>
      note('delivery', 'vouch', {
        target,
        event,
        status: 'failed',
        error: (err as Error).cause instanceof Error ? ((err as Error).cause as Error).message : String(err),
      });
    await Promise.all([
      targets.pagerDuty &&
        deliveries
          .notifyPagerDuty({
            workflowId,
            alertId: alert.id,
            policySource: prepared!.policySource,
            action: event === 'escalated' ? 'trigger' : 'resolve',
            severity: targets.pagerDuty.severity,
          })
          .then(
            () =>
              note('delivery', 'vouch', {
                target: 'pagerduty',
                event,
                status: 'delivered',
                dedupKey: alert.id,
              }),
            failed('pagerduty'),
          ),
      targets.webhook &&
        deliveries
          .notifyWebhook({
            workflowId,
            alertId: alert.id,
            url: targets.webhook.url,
            secret: targets.webhook.secret,
            event,
          })
          .then(
            () => note('delivery', 'vouch', { target: 'webhook', event, status: 'delivered' }),
            failed('webhook'),
          ),
    ]);
    await setPhase(phase);
  };
  let dm: MessageRef | null = null;

  const steps = async (): Promise<InterviewResult> => {
    try {
      note('alert_received', 'vouch', {
        title: alert.title,
        severity: alert.severity,
        alertSource: alert.source,
        alertType: alert.type,
      });
      prepared = await localStep('prepareInterview', () => local.prepareInterview({ alert, workflowId }));
      const { policy, employee } = prepared;
      if (policy.enabled === false) {
        // `=== false`: policies kept by interviews started before the field existed have no `enabled`.
        note('disabled_by_policy', 'vouch', { alertType: alert.type, policySource: prepared.policySource });
        return await finish('disabled_by_policy');
      }
      if (!employee) {
        note('unknown_employee', 'vouch', { employee: alert.employee });
        return await finish('unknown_employee');
      }
      upsertSearchAttributes({ VouchEmployee: [employee.email ?? employee.slackUserId] });
      note('policy', 'vouch', {
        policySource: prepared.policySource,
        employee: {
          slackUserId: employee.slackUserId,
          ...(employee.email ? { email: employee.email } : {}),
          ...(employee.name ? { name: employee.name } : {}),
        },
      });
      if (prepared.suppression) {
        note('suppressed', 'vouch', {
          suppressionId: prepared.suppression.id,
          createdByAlertId: prepared.suppression.createdByAlertId,
        });
        return await finish('suppressed', {
          suppressionId: prepared.suppression.id,
          suppressedBy: prepared.suppression.createdByAlertId,
        });
      }

      if (policy.mode === 'approval') {
        const timeout = parseDuration(policy.approval.timeout);
        deadlines.approval = new Date(Date.now() + timeout).toISOString();
        extendDeadline(Date.now() + timeout);
        approvalOpen = true;
        await setPhase('awaiting_approval');
        const request = await acts.postApprovalRequest({
          workflowId,
          alertId: alert.id,
          employeeLabel: employeeLabel(),
          channel: policy.escalation.channel,
          proposedQuestions: await followUps.proposeForApproval(),
          approvers: policy.approval.approvers,
        });
        if (typedRecord)
          note('approval_requested', 'vouch', {
            channel: request.channel,
            ts: request.ts,
            approvers: policy.approval.approvers ?? [],
          });
        const decided = await awaitApproval(policy.approval.approvers, timeout);
        approvalOpen = false;
        const decision = staleDecision();
        if (guarded) for (const later of approvalRequests.splice(0)) ignoreStale(later, decision);
        if (typedRecord)
          note('approval_decided', 'vouch', {
            decision: decided ? approval!.action : 'timeout',
            ...(approval ? { by: approval.operator } : {}),
          });
        if (guarded)
          await acts.markApprovalDecided({
            workflowId,
            alertId: alert.id,
            employeeLabel: employeeLabel(),
            action: decided ? approval!.action : 'timeout',
            by: approval?.operator,
          });
        if (!decided) {
          note('approval_timeout', 'vouch', {
            timeout: policy.approval.timeout,
            onTimeout: policy.approval.onTimeout,
          });
          if (policy.approval.onTimeout === 'skip') return await finish('skipped_by_operator');
        } else if (approval?.action === 'skip') return await finish('skipped_by_operator');
      }

      // Ask, remind, and wait until the deadline.
      const startedAt = Date.now();
      const reminderOffsets = policy.reminders.map(parseDuration);
      const deadlineMs = parseDuration(policy.deadline);
      const schedule = policy.workingHours.enabled
        ? await acts.planWorkingHoursSchedule({
            startedAt: new Date(startedAt).toISOString(),
            reminders: reminderOffsets,
            deadline: deadlineMs,
            workingHours: policy.workingHours,
            timeZone: employee.timeZone,
          })
        : {
            reminderAt: reminderOffsets.map((ms) => new Date(startedAt + ms).toISOString()),
            deadlineAt: new Date(startedAt + deadlineMs).toISOString(),
          };
      deadlines.response = schedule.deadlineAt;
      // Counted in working hours the deadline lies at most WORKING_HOURS_REACH ahead (addWorkingTime's limit).
      const responseReach = policy.workingHours.enabled ? WORKING_HOURS_REACH_MS : deadlineMs;
      extendDeadline(
        Math.min(Date.parse(schedule.deadlineAt), startedAt + responseReach) + SECOND_FACTOR_WAIT_MS,
      );
      await setPhase('awaiting_response');
      dm = await acts.sendInterview({
        workflowId,
        alertId: alert.id,
        slackUserId: employee.slackUserId,
        intro: policy.messages?.intro,
        employeeName: employee.name,
      });
      note('dm_sent', 'vouch', dm ? { channel: dm.channel, ts: dm.ts } : {});

      const deadlineAt = Date.parse(schedule.deadlineAt);
      let n = 0;
      for (const at of schedule.reminderAt.map(Date.parse).filter((t) => t < deadlineAt)) {
        if (await waitFor(() => answer !== undefined, at - Date.now())) break;
        n += 1;
        await acts.sendReminder({
          workflowId,
          alertId: alert.id,
          dm,
          n,
          deadlineAt: schedule.deadlineAt,
          template: policy.messages?.reminder,
        });
        note('reminder', 'vouch', { n });
      }
      if (!(await waitFor(() => answer !== undefined, deadlineAt - Date.now()))) {
        note('deadline', 'vouch', { waitingFor: 'answer' });
        return await finish('no_response');
      }
      if (answer?.answer === 'denied') return await finish('denied');

      // "Yes": the second factor.
      if (!policy.secondFactor.required) {
        note('second_factor_not_required', 'vouch', {});
        return await finish('confirmed_verified');
      }
      if (!(await acts.isEnrolled({ slackUserId: employee.slackUserId }))) {
        note('not_enrolled', 'vouch', { whenNotEnrolled: policy.secondFactor.whenNotEnrolled });
        return await finish(
          policy.secondFactor.whenNotEnrolled === 'accept' ? 'confirmed_verified' : 'not_enrolled',
        );
      }
      await setPhase('awaiting_second_factor');
      const stillOpen = await waitFor(
        () => verified || lockedOut || attemptsUsed >= attemptLimit(),
        Math.max(deadlineAt - Date.now(), SECOND_FACTOR_WAIT_MS),
      );
      await verifying; // let an in-flight verification finish before deciding
      if (!verified) {
        if (!stillOpen) note('deadline', 'vouch', { waitingFor: 'second_factor' });
        return await finish('second_factor_failed');
      }
      const windowMs = parseDuration(policy.suppression.window);
      if (windowMs > 0) {
        const s = await acts.createSuppression({
          workflowId,
          alertId: alert.id,
          slackUserId: employee.slackUserId,
          alertType: alert.type,
          fingerprint: prepared.fingerprint,
          windowMs,
        });
        note('suppression_created', 'vouch', { suppressionId: s.id, expiresAt: s.expiresAt });
        return await finish('confirmed_verified', { suppressionId: s.id });
      }
      return await finish('confirmed_verified');
    } catch (err) {
      if (err instanceof OperatorInterrupt && outcome === null) {
        const action = err.action.action as keyof typeof OPERATOR_OUTCOME;
        log.info('operator ended the interview', { action, operator: err.action.operator });
        // Closed or cancelled by an operator: no follow-up questions either (an escalation may have them).
        if (action === 'cancel' || action === 'close') followUps.stop(err.action.operator);
        if (guarded && approvalOpen) {
          approvalOpen = false;
          if (typedRecord) note('approval_decided', 'vouch', { decision: action, by: err.action.operator });
          await acts.markApprovalDecided({
            workflowId,
            alertId: alert.id,
            employeeLabel: employeeLabel(),
            action,
            by: err.action.operator,
          });
        }
        return await finish(OPERATOR_OUTCOME[action] ?? 'closed_by_operator');
      }
      throw err;
    }
  };

  if (!guarded) return steps();
  const watching = watchDeadline().catch(() => undefined); // cancelled with the workflow: nothing to do
  try {
    return await interviewScope.run(steps);
  } catch (err) {
    const failure: Failure = overdue
      ? { step: 'interview deadline', errorType: 'InterviewDeadlineExceeded', detail: 'no outcome in time' }
      : describeFailure(err);
    // Not even a cancellation of the workflow stops the record, the DM's update or the security team's notice.
    return await CancellationScope.nonCancellable(async () => {
      if (!isCancellation(err) || overdue) return endFailedClosed(failure);
      try {
        return await endCancelled();
      } catch (cause) {
        return endFailedClosed(describeFailure(cause));
      }
    });
  } finally {
    await watching;
  }

  /**
   * Cancelled in Temporal (the Web UI's "Request Cancellation", `temporal workflow cancel`): recorded
   * as the outcome `cancelled`, and the DM loses its buttons, as for any outcome. Cancelled after the
   * outcome, the outcome stands.
   */
  async function endCancelled(): Promise<InterviewResult> {
    followUps.stop('a cancellation in Temporal');
    if (outcome === null) {
      note('cancelled', 'vouch', {});
      if (approvalOpen) {
        approvalOpen = false;
        if (typedRecord)
          note('approval_decided', 'vouch', { decision: 'cancel', by: 'a cancellation in Temporal' });
        await acts.markApprovalDecided({
          workflowId,
          alertId: alert.id,
          employeeLabel: employeeLabel(),
          action: 'cancel',
          by: 'a cancellation in Temporal',
        });
      }
      return finish('cancelled');
    }
    note('cancelled', 'vouch', { afterOutcome: outcome });
    if (!told)
      await acts.finishInterview({
        workflowId,
        alertId: alert.id,
        outcome,
        employeeLabel: employeeLabel(),
        dm,
        escalationChannel: prepared?.policy.escalation.channel,
      });
    await persist(localBestEffort).catch(() => undefined);
    return { alertId: alert.id, outcome, phase };
  }

  /**
   * After the outcome was told, a later failure (the follow-up conversation, closing an escalation)
   * leaves the outcome standing; before it, the interview ends `failed_closed`.
   */
  async function endFailedClosed(failure: Failure): Promise<InterviewResult> {
    note(told ? 'failure_after_outcome' : 'failed_closed', 'vouch', {
      step: failure.step,
      errorType: failure.errorType,
    });
    if (told) {
      log.error('interview step failed after its outcome', { alertId: alert.id, ...failure });
      await persist(localBestEffort).catch(() => undefined);
      return { alertId: alert.id, outcome: outcome!, phase };
    }
    outcome = 'failed_closed';
    phase = 'escalated';
    note('outcome', 'vouch', { outcome });
    upsertSearchAttributes({ VouchPhase: [phase], VouchOutcome: [outcome] });
    upsertMemo({ phase, outcome, title: alert.title });
    showProgress({ phase, outcome });
    await failClosed(
      {
        workflowId,
        alertId: alert.id,
        employee: employeeAsGiven(alert.employee),
        channel: prepared?.policy.escalation.channel,
        persist: () => persist(localBestEffort),
        phase,
      },
      failure,
    );
    return { alertId: alert.id, outcome, phase };
  }
}

/** An input that is not an alert (started by hand, or by an outdated producer) fails closed too. */
async function failClosedOnInput(input: unknown, err: unknown): Promise<InterviewResult> {
  const raw = (typeof input === 'object' && input !== null ? input : {}) as Record<string, unknown>;
  const alertId = typeof raw.id === 'string' ? raw.id : '?';
  const phase = 'escalated';
  upsertSearchAttributes({ VouchPhase: [phase], VouchOutcome: ['failed_closed'] });
  showProgress({ phase, outcome: 'failed_closed' });
  const failure = describeFailure(err);
  await CancellationScope.nonCancellable(() =>
    failClosed(
      {
        workflowId: workflowInfo().workflowId,
        alertId,
        employee: employeeAsGiven(raw.employee),
        persist: async () => undefined, // an invalid alert is never stored
        phase,
      },
      {
        ...failure,
        step: 'alert input',
        errorType: err instanceof InvalidAlertError ? err.name : failure.errorType,
      },
    ),
  );
  return { alertId, outcome: 'failed_closed', phase };
}

/** The employee as the alert names them, for the fail-closed notice (made ASCII-safe by the activity). */
function employeeAsGiven(ref: unknown): string {
  const r = (typeof ref === 'object' && ref !== null ? ref : {}) as Record<string, unknown>;
  const given = [r.email, r.slackUserId, r.username].find((v) => typeof v === 'string' && v !== '');
  return typeof given === 'string' ? given.slice(0, 200) : '(not given)';
}

function describeRef(ref: AlertInput['employee']): string {
  return ref.email ?? (ref.slackUserId ? `<@${ref.slackUserId}>` : `user ${ref.username ?? '?'}`);
}
