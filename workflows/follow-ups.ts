import { ActivityFailure, condition, isCancellation } from '@temporalio/workflow';
import type { FollowUpExchange, FollowUpQuestion, Proposal } from '../activities';
import { parseDuration } from '../shared/duration';
import type { EmployeeResponse } from '../shared/messages';
import type { Policy } from '../shared/policy';
import { proposeFollowUps, publishFollowUps, summarizeInterview } from './activity-proxies';
import { type FollowUpChat, followUpChat } from './follow-up-chats';
import type { Interview } from './interview-state';

/**
 * The AI interviewer's conversation, after the outcome. The yes/no answer and the second factor
 * decide the outcome exactly as without follow-ups; only then, and only when the employee answered,
 * up to N questions are asked in the DM thread or the Teams chat (the model's, checked, or the policy's scripted ones),
 * each waiting `answerTimeout` for a reply; then a machine-written summary is stored and the
 * escalation message, if any, shows the conversation. Nothing here can change the outcome.
 */

/**
 * Thread messages recorded per interview; later ones are only counted (noted at 100, 1000, …), so a
 * flood cannot fill the transcript, the state query or the escalation timeline.
 */
export const MAX_RECORDED_MESSAGES = 20;

/**
 * After "someone asked me to do this", the same questions every time, never the model's: what the
 * security team needs first to stop an attack in progress.
 */
export const COERCION_QUESTIONS = [
  'Who contacted you, and how (phone call, chat, email, text)? A name, number or address they used helps.',
  'What did they ask you to do?',
  'Did you share anything with them or approve any prompt? Please do not send us any code itself.',
];

/** The conversation so far; the reply handler fills it in while a question waits. */
export interface FollowUpState {
  readonly seenReplies: Set<string>;
  readonly exchanges: FollowUpExchange[];
  readonly otherMessages: string[];
  messagesSeen: number;
  /** The question waiting for its answer. */
  asking?: FollowUpExchange;
  /** Approval mode: the questions the approver saw, asked as they are. */
  approved?: FollowUpQuestion[];
  employeeAnswer?: { answer: EmployeeResponse['answer']; justification?: string };
  /** An operator's `cancel` or `close` after the outcome: no more questions (the summary is still written). */
  stoppedBy?: string;
}

export const newFollowUpState = (): FollowUpState => ({
  seenReplies: new Set(),
  exchanges: [],
  otherMessages: [],
  messagesSeen: 0,
});

export function stopFollowUps(state: FollowUpState, operator: string): void {
  state.stoppedBy ??= operator;
}

/** Approval mode: the questions to show the approver, who approves them with the interview. */
export async function proposeForApproval(iv: Interview): Promise<FollowUpQuestion[] | undefined> {
  const s = settings(iv);
  if (!s) return undefined;
  const p = await propose(iv, 0, s.scripted, s);
  noteProposal(iv, p);
  iv.followUps.approved = p.questions;
  iv.note('follow_ups_proposed', 'vouch', { count: p.questions.length });
  return p.questions;
}

/** The conversation and the summary, once the outcome is told; only when the employee answered. */
export async function followUpConversation(iv: Interview): Promise<void> {
  const s = settings(iv);
  if (!s || !iv.answer || iv.outcome === null) return;
  const chat = followUpChat(iv, s.answerTimeout);
  if (!chat) return;
  try {
    await converse(iv, s, chat, iv.answer);
  } catch (err) {
    // Follow-ups only add context: a Slack error that retries cannot fix must not fail a decided interview.
    if (isCancellation(err) || !(err instanceof ActivityFailure)) throw err;
    iv.note('follow_ups_failed', 'vouch', { error: failure(err) });
    await iv.persist();
  }
}

function settings(iv: Interview): Policy['followUps'] | undefined {
  const s = iv.prepared?.policy.followUps;
  return s?.enabled ? s : undefined;
}

function conversation(iv: Interview) {
  const f = iv.followUps;
  return {
    workflowId: iv.workflowId,
    alertId: iv.alert.id,
    employeeAnswer: f.employeeAnswer,
    exchanges: [...f.exchanges],
    otherMessages: [...f.otherMessages],
  };
}

const failure = (err: unknown) =>
  err instanceof ActivityFailure ? (err.cause?.message ?? err.message) : String(err);

/** Questions from the model (or scripted without one); any failure falls back to the script. */
async function propose(
  iv: Interview,
  step: number,
  scripted: string[],
  s: Policy['followUps'],
): Promise<Proposal> {
  const fallback = (why: string): Proposal => ({
    questions: scripted
      .slice(0, step === 0 ? s.maxQuestions : 1)
      .map((text) => ({ text, machineWritten: false })),
    enough: false,
    notes: [why],
  });
  if (s.questions === 'scripted') return fallback('');
  try {
    return await proposeFollowUps({
      ...conversation(iv),
      step,
      maxQuestions: s.maxQuestions,
      scripted,
    });
  } catch (err) {
    if (isCancellation(err)) throw err;
    return fallback(`the model failed (${failure(err)}): scripted question${step === 0 ? 's' : ''} instead`);
  }
}

function noteProposal(iv: Interview, p: Proposal): void {
  for (const n of p.notes) if (n) iv.note('follow_up_guard', 'vouch', { note: n });
}

async function converse(
  iv: Interview,
  s: Policy['followUps'],
  chat: FollowUpChat,
  answer: EmployeeResponse,
): Promise<void> {
  const f = iv.followUps;
  const outcome = iv.outcome!;
  const employeeLabel = iv.employeeLabel();
  f.employeeAnswer = { answer: answer.answer, justification: answer.justification };
  const answerMs = parseDuration(s.answerTimeout);
  let spare = [...s.scripted];
  const useUp = (qs: FollowUpQuestion[]) => (spare = spare.filter((t) => !qs.some((q) => q.text === t)));

  let queue: FollowUpQuestion[];
  let adaptive = false;
  const coerced = answer.answer === 'coerced';
  if (coerced) queue = COERCION_QUESTIONS.map((text) => ({ text, machineWritten: false }));
  else if (f.approved) queue = [...f.approved];
  else {
    const p = await propose(iv, 0, spare, s);
    noteProposal(iv, p);
    queue = p.questions;
    adaptive = queue.some((q) => q.machineWritten);
  }
  useUp(queue);

  let answered = 0;
  const most = coerced ? COERCION_QUESTIONS.length : s.maxQuestions;
  for (let n = 1; n <= most; n += 1) {
    const question = queue.shift();
    if (!question || f.stoppedBy) break;
    // Waiting for the answer starts before the post: a reply that beats the activity's completion counts.
    f.asking = { question: question.text, machineWritten: question.machineWritten };
    iv.note(
      'follow_up_question',
      'vouch',
      { n, question: question.text },
      question.machineWritten ? { machineWritten: true } : {},
    );
    await chat.ask(n, question);
    await condition(() => f.asking?.answer !== undefined || f.stoppedBy !== undefined, answerMs);
    const exchange = f.asking;
    f.asking = undefined;
    f.exchanges.push(exchange);
    if (exchange.answer !== undefined) answered += 1;
    if (f.stoppedBy) {
      iv.note('follow_ups_stopped', 'vouch', { by: f.stoppedBy });
      break;
    }
    if (exchange.answer === undefined) {
      iv.note('follow_up_timeout', 'vouch', { timeout: s.answerTimeout });
      break;
    }
    if (n === most || !adaptive) continue;
    // The model sees the answer and asks one more question, or says it has enough.
    const next = await propose(iv, n, spare, s);
    noteProposal(iv, next);
    if (next.enough) {
      iv.note('follow_up_enough', 'vouch', {});
      break;
    }
    if (!next.questions.some((q) => q.machineWritten)) adaptive = false; // the model failed: script from here
    queue = [...next.questions, ...queue.filter((q) => !q.machineWritten)];
    useUp(next.questions);
  }
  await chat.end(answered);

  let summaryMissing: string | undefined;
  if (!s.summary) summaryMissing = 'turned off by the policy';
  else
    try {
      const r = await summarizeInterview({ ...conversation(iv), outcome });
      if (r.written)
        iv.note('summary', 'vouch', {
          stored: true,
          model: r.model,
          ...(r.defanged ? { defanged: r.defanged } : {}),
        });
      else summaryMissing = r.reason;
    } catch (err) {
      if (isCancellation(err)) throw err;
      summaryMissing = `the model failed: ${failure(err)}`;
    }
  if (summaryMissing) iv.note('summary', 'vouch', { stored: false, reason: summaryMissing });
  await iv.persist();
  await publishFollowUps({
    workflowId: iv.workflowId,
    alertId: iv.alert.id,
    outcome,
    employeeLabel,
    summaryMissing,
  });
}
