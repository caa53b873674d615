import type { Logger } from '../lib/logger';
import { eventsOfKind } from '../shared/record/events';
import type { AlertStore } from '../store/alerts';
import { type InterviewGateway, InterviewNotFoundError, WORKFLOW_ID_PATTERN } from './interviews';

/** Whom the interview asks now, if anyone, and where it stands. */
export type Asking = { phase: string; managerAsked?: string };

/**
 * Whom the ladder asks: the interview's own answer, else (Temporal unreachable) the alert's record's
 * last `manager_asked`, so that a manager's answer can still be taken and held (bot/held-answers.ts).
 * The interview checks the answerer again when it gets the answer. InterviewNotFoundError when neither
 * knows the interview.
 */
export function managerAsking(deps: {
  interviews: Pick<InterviewGateway, 'state'>;
  alerts: Pick<AlertStore, 'get'>;
  logger: Logger;
}) {
  return async (workflowId: string): Promise<Asking> => {
    try {
      return await deps.interviews.state(workflowId);
    } catch (err) {
      if (err instanceof InterviewNotFoundError) throw err;
      deps.logger.warn(
        { err, workflowId },
        'manager answer: interview unreachable, checked against its record',
      );
    }
    const doc = WORKFLOW_ID_PATTERN.test(workflowId)
      ? await deps.alerts.get(workflowId.replace(/^alert-/, ''))
      : null;
    if (!doc) throw new InterviewNotFoundError(`no interview ${workflowId}`);
    return { phase: doc.phase, managerAsked: eventsOfKind(doc.transcript, 'manager_asked').at(-1)?.manager };
  };
}
