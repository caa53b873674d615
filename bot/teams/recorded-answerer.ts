import type { InterviewPhase } from '../../shared/messages';
import type { Outcome } from '../../shared/constants';
import type { AlertStore } from '../../store/alerts';
import { InterviewNotFoundError, WORKFLOW_ID_PATTERN } from '../interviews';

/** Where an interview stood last, and whether the sender is the person it asks. */
export interface AnswerCheck {
  asked: boolean;
  phase: InterviewPhase;
  outcome: Outcome | null;
}

/**
 * The answer check from the alert's record, for when Temporal cannot be asked: the sender is the
 * employee the record names (by Slack id, or by the directory email the interview resolved). The
 * record is written after the workflow moves on, so its phase may lag; the interview checks every
 * answer again when it gets it and records anyone else's as unauthorized.
 */
export async function recordedAnswerCheck(
  alerts: Pick<AlertStore, 'get'>,
  workflowId: string,
  sender: { principal?: string; email?: string },
): Promise<AnswerCheck> {
  const doc = WORKFLOW_ID_PATTERN.test(workflowId)
    ? await alerts.get(workflowId.replace(/^alert-/, ''))
    : null;
  if (!doc) throw new InterviewNotFoundError(`no interview ${workflowId}`);
  const email = doc.employee?.email?.toLowerCase();
  const asked =
    sender.principal !== undefined &&
    (doc.employeeSlackId === sender.principal || (!!email && sender.email?.toLowerCase() === email));
  return { asked, phase: doc.phase, outcome: doc.outcome };
}

/** The phases the record may still show while the interview already waits for the card's answer. */
export const RECORDED_CARD_PHASES: readonly string[] = [
  'starting',
  'queued',
  'awaiting_approval',
  'awaiting_leader',
  'awaiting_response',
];
