import type { Outcome } from './constants';
import { type Language, type MessageKey, t } from './i18n';
import type { InterviewPhase } from './messages';

/**
 * Where one of an employee's interviews stands, as their status lists it (Slack's `/vouch status` and
 * App Home, the Teams chat's `status`): facts, rendered by each channel in its own markup.
 */
export interface InterviewStatus {
  title: string;
  /** When the interview started (ISO 8601). */
  createdAt: string;
  phase: InterviewPhase;
  outcome: Outcome | null;
}

/** The phases an employee is told about in their words; any other shows as its name. */
const PHASE_KEYS: Partial<Record<InterviewPhase, MessageKey>> = {
  starting: 'phase.starting',
  awaiting_approval: 'phase.awaiting_approval',
  awaiting_response: 'phase.awaiting_response',
  awaiting_second_factor: 'phase.awaiting_second_factor',
  queued: 'phase.queued',
  awaiting_leader: 'phase.awaiting_leader',
};

/** The outcome, or else the phase, in the employee's words. */
export function statusWords(s: Pick<InterviewStatus, 'phase' | 'outcome'>, lang: Language): string {
  if (s.outcome) return t(lang, `status.${s.outcome}`);
  const phase = PHASE_KEYS[s.phase];
  return phase ? t(lang, phase) : s.phase;
}

/** The status of a stored interview. */
export function interviewStatusOf(doc: {
  input: { title: string };
  createdAt: Date;
  phase: InterviewPhase;
  outcome: Outcome | null;
}): InterviewStatus {
  return {
    title: doc.input.title,
    createdAt: doc.createdAt.toISOString(),
    phase: doc.phase,
    outcome: doc.outcome,
  };
}
