import { condition, patched } from '@temporalio/workflow';
import { parseDuration } from '../shared/duration';
import type { SecondFactorResult, SecondFactorSubmission } from '../shared/messages';
import { verifySecondFactor } from './activity-proxies';
import type { Decision, Interview } from './interview-state';
import { waitFor } from './operator-interrupt';
import { coercionReported } from './coercion';

/** Interviews of an employee without Slack started before their factors were looked up end not_enrolled. */
const EMAIL_EMPLOYEE_FACTORS_PATCH = 'email-employee-factors';

/** Interviews of an employee without Slack started before suppressions were kept by employee key make none. */
const SUPPRESSIONS_BY_EMPLOYEE_KEY_PATCH = 'suppressions-by-employee-key';

/** The least time the employee gets to enter a code after answering "Yes", even near the deadline. */
export const SECOND_FACTOR_WAIT_MS = 15 * 60_000;

/**
 * After "Yes": the code from the employee's authenticator, unless the policy needs none, then a
 * suppression of the same alert for the policy's window.
 */
export async function checkSecondFactor(iv: Interview, answerDueAt: number): Promise<Decision> {
  const { policy, fingerprint } = iv.ready;
  const acts = iv.acts.secondFactor;
  if (!policy.secondFactor.required) {
    iv.note('second_factor_not_required', 'vouch', {});
    return { outcome: 'confirmed_verified' };
  }
  if (!(await enrolled(iv))) {
    const { whenNotEnrolled } = policy.secondFactor;
    iv.note('not_enrolled', 'vouch', { whenNotEnrolled });
    return { outcome: whenNotEnrolled === 'accept' ? 'confirmed_verified' : 'not_enrolled' };
  }
  await iv.setPhase('awaiting_second_factor');
  const sf = iv.secondFactor;
  const stillOpen = await waitFor(
    iv,
    () =>
      sf.verified || sf.lockedOut || sf.attemptsUsed >= iv.attemptLimit() || iv.answer?.answer === 'coerced',
    Math.max(answerDueAt - Date.now(), SECOND_FACTOR_WAIT_MS),
  );
  await sf.verifying; // let an in-flight verification finish before deciding
  // Reported while the code was due: whatever the code did, someone may be coaching the employee.
  if (coercionReported(iv)) return { outcome: 'coercion_reported' };
  if (!sf.verified) {
    if (!stillOpen) iv.note('deadline', 'vouch', { waitingFor: 'second_factor' });
    return { outcome: 'second_factor_failed' };
  }
  const windowMs = parseDuration(policy.suppression.window);
  const suppressFor = windowMs > 0 ? suppressedEmployee(iv) : undefined;
  if (!suppressFor) return { outcome: 'confirmed_verified' };
  const scope = {
    workflowId: iv.workflowId,
    alertId: iv.alert.id,
    alertType: iv.alert.type,
    fingerprint,
    windowMs,
  };
  const s = await ('slackUserId' in suppressFor
    ? acts.createSuppression({ ...scope, slackUserId: suppressFor.slackUserId })
    : acts.createEmployeeSuppression({ ...scope, employeeKey: suppressFor.employeeKey }));
  iv.note('suppression_created', 'vouch', { suppressionId: s.id, expiresAt: s.expiresAt });
  return { outcome: 'confirmed_verified', extra: { suppressionId: s.id } };
}

/**
 * Whom the suppression is for: the Slack id, as always, else the employee key (`email:<address>`).
 * Interviews of an employee without Slack started before suppressions were kept by that key make none.
 */
function suppressedEmployee(iv: Interview): { slackUserId: string } | { employeeKey: string } | undefined {
  const { slackUserId } = iv.ready.employee;
  if (slackUserId) return { slackUserId };
  const key = iv.factorKey();
  return key && patched(SUPPRESSIONS_BY_EMPLOYEE_KEY_PATCH) ? { employeeKey: key } : undefined;
}

/**
 * Whether the employee has a factor to ask for. Interviews started before factors were kept by email
 * looked them up only for an employee with a Slack id; an employee without Slack had none.
 */
async function enrolled(iv: Interview): Promise<boolean> {
  const { slackUserId, email } = iv.ready.employee;
  const isEnrolled = iv.acts.secondFactor.isEnrolled;
  if (slackUserId) return isEnrolled({ slackUserId });
  return !!email && patched(EMAIL_EMPLOYEE_FACTORS_PATCH) && isEnrolled({ email });
}

/** One submitted code, checked once the interview waits for it; one verification at a time. */
export async function submitCode(iv: Interview, s: SecondFactorSubmission): Promise<SecondFactorResult> {
  const sf = iv.secondFactor;
  // Racing submissions queue, so they cannot both spend the same attempt.
  const turn = sf.verifying.then(async () => {
    await condition(() => iv.phase === 'awaiting_second_factor' || iv.outcome !== null);
    if (iv.outcome !== null || sf.verified || sf.lockedOut || sf.attemptsUsed >= iv.attemptLimit())
      return { accepted: sf.verified, attemptsLeft: 0 };
    sf.attemptsUsed += 1;
    const { outcome: check, lockedUntil } = await verifySecondFactor({
      alertId: iv.alert.id,
      workflowId: iv.workflowId,
      slackUserId: s.slackUserId,
      sealedCode: s.code,
    });
    sf.verified = check === 'accepted';
    sf.lockedOut = check === 'locked' || lockedUntil !== undefined;
    const left = sf.verified || sf.lockedOut ? 0 : iv.attemptLimit() - sf.attemptsUsed;
    iv.note('second_factor_attempt', 'vouch', {
      attempt: sf.attemptsUsed,
      limit: iv.attemptLimit(),
      result: check,
      ...(lockedUntil ? { lockedUntil: String(lockedUntil) } : {}),
      ...(s.via === 'web' ? { via: s.via } : {}),
    });
    return { accepted: sf.verified, attemptsLeft: left };
  });
  sf.verifying = turn.catch(() => undefined);
  return turn;
}
