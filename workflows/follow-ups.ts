import {
  ActivityFailure,
  condition,
  isCancellation,
  proxyActivities,
  setHandler,
} from '@temporalio/workflow';
import type { Activities, FollowUpExchange, FollowUpQuestion, MessageRef, Proposal } from '../activities';
import type { Outcome } from '../shared/constants';
import { parseDuration } from '../shared/duration';
import { type EmployeeResponse, employeeReply } from '../shared/messages';
import type { Note } from '../shared/record/events';
import type { Policy } from '../shared/policy';

/**
 * The AI interviewer's conversation (issue #7), after the outcome. The yes/no answer and the second
 * factor decide the outcome exactly as without follow-ups; only then, and only when the employee
 * answered, up to N questions are asked in the DM thread (the model's, checked, or the policy's
 * scripted ones), each waiting `answerTimeout` for a reply; then a machine-written summary is stored
 * and the escalation message, if any, shows the conversation. Nothing here can change the outcome.
 */
const model = proxyActivities<Activities>({
  // The client's own timeout (VOUCH_LLM_TIMEOUT, at most 300 s) ends a slow call before this does.
  startToCloseTimeout: '330 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumAttempts: 2 },
});
const slack = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  // After the outcome: a Slack that keeps failing must not keep the escalation from closing.
  scheduleToCloseTimeout: '1 hour',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

const MAX_REPLY = 1000;
const MAX_OTHER_MESSAGES = 10;
/**
 * Thread messages recorded per interview; later ones are only counted (noted at 100, 1000, …), so a
 * flood cannot fill the transcript, the state query or the escalation timeline.
 */
export const MAX_RECORDED_MESSAGES = 20;

export interface FollowUpContext {
  alertId: string;
  workflowId: string;
  note: Note;
  employeeId(): string | undefined;
  /** The policy, once loaded. */
  policy(): Policy | undefined;
  /** Writes the transcript so far to MongoDB. */
  persist(): Promise<void>;
}

export function followUpConversation(ctx: FollowUpContext) {
  const seen = new Set<string>();
  const exchanges: FollowUpExchange[] = [];
  const otherMessages: string[] = [];
  let messagesSeen = 0;
  let asking: FollowUpExchange | undefined;
  /** Approval mode: the questions the approver saw, asked as they are. */
  let approved: FollowUpQuestion[] | undefined;
  let employeeAnswer: { answer: EmployeeResponse['answer']; justification?: string } | undefined;
  /** An operator's `cancel` or `close` after the outcome: no more questions (the summary is still written). */
  let stoppedBy: string | undefined;

  // Replies are recorded from the start: an early message in the thread is context, never an answer.
  setHandler(employeeReply, (r) => {
    if (seen.has(r.replyId)) return; // a redelivered Slack event is applied once
    seen.add(r.replyId);
    const actor = r.slackUserId;
    if (!ctx.employeeId() || r.slackUserId !== ctx.employeeId()) {
      ctx.note('unauthorized_reply', actor, {});
      return;
    }
    const text = r.text.length > MAX_REPLY ? `${r.text.slice(0, MAX_REPLY)}…` : r.text;
    if (asking && asking.answer === undefined) {
      asking.answer = text;
      ctx.note('follow_up_answer', actor, { answer: text });
    } else {
      messagesSeen += 1;
      if (messagesSeen > MAX_RECORDED_MESSAGES) {
        const unrecorded = messagesSeen - MAX_RECORDED_MESSAGES;
        if (unrecorded === 1 || /^10+$/.test(String(unrecorded)))
          ctx.note('employee_messages_unrecorded', 'vouch', {
            unrecorded,
            recordedLimit: MAX_RECORDED_MESSAGES,
          });
        return;
      }
      if (otherMessages.length < MAX_OTHER_MESSAGES) otherMessages.push(text);
      ctx.note('employee_message', actor, { message: text });
    }
  });

  const settings = () => {
    const s = ctx.policy()?.followUps;
    return s?.enabled ? s : undefined;
  };
  const ids = () => ({ workflowId: ctx.workflowId, alertId: ctx.alertId });
  const conversation = () => ({
    ...ids(),
    employeeAnswer,
    exchanges: [...exchanges],
    otherMessages: [...otherMessages],
  });
  const failure = (err: unknown) =>
    err instanceof ActivityFailure ? (err.cause?.message ?? err.message) : String(err);

  /** Questions from the model (or scripted without one); any failure falls back to the script. */
  async function propose(step: number, scripted: string[], s: Policy['followUps']): Promise<Proposal> {
    const fallback = (why: string): Proposal => ({
      questions: scripted
        .slice(0, step === 0 ? s.maxQuestions : 1)
        .map((text) => ({ text, machineWritten: false })),
      enough: false,
      notes: [why],
    });
    if (s.questions === 'scripted') return fallback('');
    try {
      return await model.proposeFollowUps({
        ...conversation(),
        step,
        maxQuestions: s.maxQuestions,
        scripted,
      });
    } catch (err) {
      if (isCancellation(err)) throw err;
      return fallback(
        `the model failed (${failure(err)}): scripted question${step === 0 ? 's' : ''} instead`,
      );
    }
  }

  const noteProposal = (p: Proposal) => {
    for (const n of p.notes) if (n) ctx.note('follow_up_guard', 'vouch', { note: n });
  };

  return {
    /** Approval mode: the questions to show the approver, who approves them with the interview. */
    async proposeForApproval(): Promise<FollowUpQuestion[] | undefined> {
      const s = settings();
      if (!s) return undefined;
      const p = await propose(0, s.scripted, s);
      noteProposal(p);
      approved = p.questions;
      ctx.note('follow_ups_proposed', 'vouch', { count: approved.length });
      return approved;
    },

    stop(operator: string): void {
      stoppedBy ??= operator;
    },

    /** The conversation and the summary, once the outcome is recorded. */
    async afterOutcome(input: AfterOutcome): Promise<void> {
      const s = settings();
      if (!s || !input.dm || !input.answer) return;
      try {
        await converse(s, input, input.dm, input.answer);
      } catch (err) {
        // Follow-ups only add context: a Slack error that retries cannot fix must not fail a decided interview.
        if (isCancellation(err) || !(err instanceof ActivityFailure)) throw err;
        ctx.note('follow_ups_failed', 'vouch', { error: failure(err) });
        await ctx.persist();
      }
    },
  };

  async function converse(
    s: Policy['followUps'],
    input: AfterOutcome,
    dm: MessageRef,
    answer: EmployeeResponse,
  ): Promise<void> {
    employeeAnswer = { answer: answer.answer, justification: answer.justification };
    const answerMs = parseDuration(s.answerTimeout);
    let spare = [...s.scripted];
    const useUp = (qs: FollowUpQuestion[]) => (spare = spare.filter((t) => !qs.some((q) => q.text === t)));

    let queue: FollowUpQuestion[];
    let adaptive = false;
    if (approved) queue = [...approved];
    else {
      const p = await propose(0, spare, s);
      noteProposal(p);
      queue = p.questions;
      adaptive = queue.some((q) => q.machineWritten);
    }
    useUp(queue);

    let answered = 0;
    for (let n = 1; n <= s.maxQuestions; n += 1) {
      const question = queue.shift();
      if (!question || stoppedBy) break;
      // Waiting for the answer starts before the post: a reply that beats the activity's completion counts.
      asking = { question: question.text, machineWritten: question.machineWritten };
      ctx.note(
        'follow_up_question',
        'vouch',
        { n, question: question.text },
        question.machineWritten ? { machineWritten: true } : {},
      );
      await slack.postFollowUpQuestion({ workflowId: ctx.workflowId, dm, n, question });
      await condition(() => asking?.answer !== undefined || stoppedBy !== undefined, answerMs);
      const exchange = asking;
      asking = undefined;
      exchanges.push(exchange);
      if (exchange.answer !== undefined) answered += 1;
      if (stoppedBy) {
        ctx.note('follow_ups_stopped', 'vouch', { by: stoppedBy });
        break;
      }
      if (exchange.answer === undefined) {
        ctx.note('follow_up_timeout', 'vouch', { timeout: s.answerTimeout });
        break;
      }
      if (n === s.maxQuestions || !adaptive) continue;
      // The model sees the answer and asks one more question, or says it has enough.
      const next = await propose(n, spare, s);
      noteProposal(next);
      if (next.enough) {
        ctx.note('follow_up_enough', 'vouch', {});
        break;
      }
      if (!next.questions.some((q) => q.machineWritten)) adaptive = false; // the model failed: script from here
      queue = [...next.questions, ...queue.filter((q) => !q.machineWritten)];
      useUp(next.questions);
    }
    if (answered > 0) await slack.thankForFollowUps({ workflowId: ctx.workflowId, dm });

    let summaryMissing: string | undefined;
    if (!s.summary) summaryMissing = 'turned off by the policy';
    else
      try {
        const r = await model.summarizeInterview({ ...conversation(), outcome: input.outcome });
        if (r.written)
          ctx.note('summary', 'vouch', {
            stored: true,
            model: r.model,
            ...(r.defanged ? { defanged: r.defanged } : {}),
          });
        else summaryMissing = r.reason;
      } catch (err) {
        if (isCancellation(err)) throw err;
        summaryMissing = `the model failed: ${failure(err)}`;
      }
    if (summaryMissing) ctx.note('summary', 'vouch', { stored: false, reason: summaryMissing });
    await ctx.persist();
    await slack.publishFollowUps({
      ...ids(),
      outcome: input.outcome,
      employeeLabel: input.employeeLabel,
      summaryMissing,
    });
  }
}

interface AfterOutcome {
  outcome: Outcome;
  dm: MessageRef | null;
  answer: EmployeeResponse | undefined;
  employeeLabel: string;
}
