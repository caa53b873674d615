import { patched, setHandler } from '@temporalio/workflow';
import {
  type EmployeeResponse,
  type SecondFactorSubmission,
  employeeReply,
  employeeResponse,
  interviewState,
  managerResponse,
  operatorAction,
  submitSecondFactor,
} from '../shared/messages';
import { SEALED_CODE_PATTERN } from '../shared/sealed-code';
import { checkOperatorAction, takeUncheckedOperatorAction } from './authority';
import { MAX_RECORDED_MESSAGES } from './follow-ups';
import type { Interview } from './interview-state';
import { registerRollupHandlers } from './rollup';
import { submitCode } from './second-factor';
import { registerSnoozeHandlers } from './snooze';

/** Interviews that took no answers from the answer page before it existed keep refusing them. */
const ANSWER_PAGE_PATCH = 'answer-page';

/** Interviews that refused the answer page's answers for a Slack interview keep refusing them. */
const SLACK_PASSKEY_LINK_PATCH = 'slack-passkey-link';

/** Interviews that refused the answer page's answers from the Teams dialog's link keep refusing them. */
const TEAMS_PASSKEY_LINK_PATCH = 'teams-passkey-link';

/**
 * An answer from the answer page counts when the interview emailed the employee its link, or when the
 * link was made by the Slack modal's or the Teams code dialog's "Verify with a passkey instead" (for
 * the employee who pressed "Yes" there): the bot answers only for a link it checked, bound to the
 * browser that answered first.
 */
function answersFromPage(iv: Interview, r: EmployeeResponse): boolean {
  if (iv.askedByEmail() && patched(ANSWER_PAGE_PATCH)) return true;
  if (r.link === 'teams_dialog') return !!iv.employeeId() && patched(TEAMS_PASSKEY_LINK_PATCH);
  return r.link === 'slack_modal' && !!iv.employeeId() && patched(SLACK_PASSKEY_LINK_PATCH);
}

/** Longer replies are cut: the transcript, the model's prompt and the escalation stay readable. */
const MAX_REPLY = 1000;
/** Messages beside the answers that the model sees as context. */
const MAX_OTHER_MESSAGES = 10;

/**
 * Every message the interview takes, registered before its first step so that none that arrive
 * early is lost. Handlers only record and set state; the steps act on it.
 */
export function registerHandlers(iv: Interview): void {
  setHandler(interviewState, () => ({
    phase: iv.phase,
    employee: iv.employeeId() ?? null,
    outcome: iv.outcome,
    deadlines: { ...iv.deadlines },
    transcript: [...iv.transcript],
    ...(iv.ladder.asking ? { managerAsked: iv.ladder.asking } : {}),
  }));

  setHandler(managerResponse, (r) => {
    if (iv.seenIds.has(r.responseId)) return;
    iv.seenIds.add(r.responseId);
    if (!iv.ladder.asking || r.slackUserId !== iv.ladder.asking) {
      iv.note('unauthorized_manager_response', r.slackUserId, { answer: r.answer });
      return;
    }
    if (iv.ladder.answer || iv.outcome) return; // the first answer counts; Slack redelivers clicks
    iv.ladder.answer = r;
    iv.note('manager_answer', r.slackUserId, { answer: r.answer });
  });

  setHandler(employeeResponse, (r) => {
    if (iv.seenIds.has(r.responseId)) return; // a redelivered click is applied once
    iv.seenIds.add(r.responseId);
    const fromPage = r.via === 'web';
    const actor = fromPage ? iv.webAnswerer() : r.slackUserId;
    const via = fromPage ? { via: r.via, ...(r.link ? { link: r.link } : {}) } : {};
    if (fromPage ? !answersFromPage(iv, r) : !iv.employeeId() || r.slackUserId !== iv.employeeId()) {
      iv.note('unauthorized_response', actor, { answer: r.answer, ...via });
      return;
    }
    // "Someone asked me to do this" may follow a "Yes" whose code is still due: a coached employee may
    // press Yes first.
    const changesYes = r.answer === 'coerced' && iv.answer?.answer === 'confirmed';
    if (iv.outcome || iv.answerClosed || (iv.answer && !changesYes)) {
      iv.note('late_response', actor, { answer: r.answer, ...via });
      return;
    }
    iv.answer = r;
    iv.note('employee_answer', actor, {
      answer: r.answer,
      ...(r.justification ? { justification: r.justification } : {}),
      ...via,
    });
  });

  setHandler(operatorAction, (a) => {
    if (iv.seenIds.has(a.actionId)) return;
    iv.seenIds.add(a.actionId);
    iv.note('operator_action', a.operator, { action: a.action, ...(a.note ? { note: a.note } : {}) });
    if (iv.patches.guarded) checkOperatorAction(iv, a);
    else takeUncheckedOperatorAction(iv, a);
  });

  setHandler(submitSecondFactor, (s: SecondFactorSubmission) => submitCode(iv, s), {
    // Rejected here, bad submissions are never written to the history.
    validator: (s: SecondFactorSubmission) => {
      if (!SEALED_CODE_PATTERN.test(s.code)) throw new Error('code must be sealed by the Vouch bot');
      // The employee key: the Slack id, or `email:<address>` for an employee without Slack.
      if (!iv.factorKey() || s.slackUserId !== iv.factorKey())
        throw new Error('only the interviewed employee can answer');
      if (iv.outcome !== null) throw new Error('this interview is already finished');
      if (iv.answer?.answer === 'denied') throw new Error('this interview was answered "no"');
      if (iv.answer?.answer === 'coerced') throw new Error('this interview was reported as coerced');
    },
  });

  registerRollupHandlers(iv);
  registerSnoozeHandlers(iv);

  // Replies in the DM thread are recorded from the start: an early message is context, never an answer.
  setHandler(employeeReply, (r) => {
    const f = iv.followUps;
    if (f.seenReplies.has(r.replyId)) return; // a redelivered Slack event is applied once
    f.seenReplies.add(r.replyId);
    const actor = r.slackUserId;
    if (!iv.employeeId() || r.slackUserId !== iv.employeeId()) {
      iv.note('unauthorized_reply', actor, {});
      return;
    }
    const text = r.text.length > MAX_REPLY ? `${r.text.slice(0, MAX_REPLY)}…` : r.text;
    if (f.asking && f.asking.answer === undefined) {
      f.asking.answer = text;
      iv.note('follow_up_answer', actor, { answer: text });
      return;
    }
    f.messagesSeen += 1;
    if (f.messagesSeen > MAX_RECORDED_MESSAGES) {
      // Later messages are only counted (noted at 100, 1000, …): a flood cannot fill the record.
      const unrecorded = f.messagesSeen - MAX_RECORDED_MESSAGES;
      if (unrecorded === 1 || /^10+$/.test(String(unrecorded)))
        iv.note('employee_messages_unrecorded', 'vouch', {
          unrecorded,
          recordedLimit: MAX_RECORDED_MESSAGES,
        });
      return;
    }
    if (f.otherMessages.length < MAX_OTHER_MESSAGES) f.otherMessages.push(text);
    iv.note('employee_message', actor, { message: text });
  });
}
