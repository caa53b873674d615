import type { Logger } from '../../lib/logger';
import { t } from '../../shared/i18n';
import type { UntimedEvent } from '../../shared/record/events';
import type { directoryStore } from '../../store/directory';
import { type ManagerAnswerData, managerAnswerData } from '../../teams/operator-cards';
import { type InterviewGateway, InterviewNotFoundError } from '../interviews';

export interface TeamsManagerDeps {
  interviews: Pick<InterviewGateway, 'state' | 'managerRespond'>;
  directory: Pick<ReturnType<typeof directoryStore>, 'byAadObjectId'>;
  logger: Logger;
  audit(workflowId: string, key: string, entry: UntimedEvent): Promise<void>;
}

interface ManagerActivity {
  id?: string;
  value?: unknown;
  from?: { id?: string; aadObjectId?: string };
}

const lang = 'en' as const;

/**
 * The manager's three answers on the ladder's Teams card. Only the manager the interview asks now
 * can answer (their Entra object id, or the Slack id the directory gives it); anyone else is told so
 * and the attempt is audited. Answers what to say in the chat, or undefined for another activity.
 */
export function teamsManagerAnswers(deps: TeamsManagerDeps) {
  async function answer(activity: ManagerActivity, data: ManagerAnswerData): Promise<string> {
    let state;
    try {
      state = await deps.interviews.state(data.workflowId);
    } catch (err) {
      if (err instanceof InterviewNotFoundError) return t(lang, 'manager.gone');
      deps.logger.error({ err, workflowId: data.workflowId }, 'Teams manager answer: interview unreachable');
      return t(lang, 'reply.notSaved');
    }
    if (state.phase !== 'awaiting_manager' || !state.managerAsked) return t(lang, 'manager.closed');
    const oid = activity.from?.aadObjectId?.toLowerCase();
    const entry = oid ? await deps.directory.byAadObjectId(oid) : null;
    const names = oid ? [`aad:${oid}`, entry?.slackUserId] : [];
    if (!names.includes(state.managerAsked)) {
      await deps.audit(data.workflowId, `teams:${activity.id ?? ''}`, {
        actor: oid ? `aad:${oid}` : `teams:${activity.from?.id ?? '?'}`,
        kind: 'unauthorized_click',
        button: `teams_manager_${data.answer}`,
      });
      return t(lang, 'manager.notYours');
    }
    try {
      await deps.interviews.managerRespond(data.workflowId, {
        // Teams redelivers an activity with the same id: applied once.
        responseId: `teams-manager:${activity.id ?? ''}`,
        slackUserId: state.managerAsked,
        answer: data.answer,
      });
    } catch (err) {
      deps.logger.error({ err, workflowId: data.workflowId }, 'Teams manager answer not delivered');
      return t(lang, 'reply.notSaved');
    }
    return t(lang, data.answer === 'does_not_know' ? 'manager.thanksAlerted' : 'manager.thanks');
  }

  return async (activity: ManagerActivity): Promise<string | undefined> => {
    const data = managerAnswerData(activity.value);
    return data ? answer(activity, data) : undefined;
  };
}
