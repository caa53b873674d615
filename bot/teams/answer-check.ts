import type { Logger } from '../../lib/logger';
import type { InterviewPhase } from '../../shared/messages';
import type { Outcome } from '../../shared/constants';
import type { AlertStore } from '../../store/alerts';
import { type InterviewGateway, InterviewNotFoundError, WORKFLOW_ID_PATTERN } from '../interviews';

/** Where an interview stands, and whether the sender is the person it asks. */
export interface AnswerCheck {
  asked: boolean;
  phase: InterviewPhase;
  outcome: Outcome | null;
  /** Read from the alert's record, Temporal being unreachable: its phase may lag. */
  recorded?: true;
}

/** Who sent an activity: as the interview's signals name them, and their directory email. */
type Sender = { principal?: string; email?: string };

/**
 * May this sender answer the interview now? The interview's own answer, else (Temporal unreachable)
 * its record's, so that an answer can still be taken and held (bot/held-answers.ts).
 * InterviewNotFoundError when neither knows the interview.
 */
export function answerChecker<A>(
  deps: {
    interviews: Pick<InterviewGateway, 'state'>;
    alerts: Pick<AlertStore, 'get'>;
    logger: Logger;
  },
  senderOf: (activity: A) => Promise<Sender>,
) {
  return async (workflowId: string, principal: string | undefined, activity: A): Promise<AnswerCheck> => {
    try {
      const state = await deps.interviews.state(workflowId);
      return {
        asked: !!principal && state.employee === principal,
        phase: state.phase,
        outcome: state.outcome,
      };
    } catch (err) {
      if (err instanceof InterviewNotFoundError) throw err;
      deps.logger.warn(
        { err, workflowId },
        'Teams answer: interview unreachable, checked against its record',
      );
      return {
        ...(await recordedAnswerCheck(deps.alerts, workflowId, await senderOf(activity))),
        recorded: true,
      };
    }
  };
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
  sender: Sender,
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
