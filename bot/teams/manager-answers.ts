import type { Logger } from '../../lib/logger';
import { type Language, t } from '../../shared/i18n';
import type { UntimedEvent } from '../../shared/record/events';
import type { AlertStore } from '../../store/alerts';
import type { directoryStore } from '../../store/directory';
import { type ManagerAnswerData, managerAnswerData } from '../../teams/operator-cards';
import { type InterviewGateway, InterviewNotFoundError } from '../interviews';
import { managerAsking } from '../manager-asking';
import type { HeldAnswers } from '../held-answers';
import { type TeamsLocales, teamsLanguages } from './locale';

export interface TeamsManagerDeps {
  interviews: Pick<InterviewGateway, 'state'>;
  directory: Pick<ReturnType<typeof directoryStore>, 'byAadObjectId'>;
  alerts: Pick<AlertStore, 'get'>;
  logger: Logger;
  audit(workflowId: string, key: string, entry: UntimedEvent): Promise<void>;
  locales?: TeamsLocales;
  /** Delivers an answer, or keeps it while Temporal is unreachable (bot/held-answers.ts). */
  held: Pick<HeldAnswers, 'deliverOrHold'>;
}

interface ManagerActivity {
  id?: string;
  value?: unknown;
  from?: { id?: string; aadObjectId?: string };
  locale?: string;
}

/**
 * The manager's three answers on the ladder's Teams card, in the language of the activity's locale.
 * Only the manager the interview asks now can answer (their Entra object id, or the Slack id the
 * directory gives it); anyone else is told so and the attempt is audited. An answer Temporal cannot
 * take now is kept and delivered later (bot/held-answers.ts). Answers what to say in the chat,
 * or undefined for another activity.
 */
export function teamsManagerAnswers(deps: TeamsManagerDeps) {
  const { languageOf } = teamsLanguages(deps.locales, deps.logger);

  const asking = managerAsking(deps);

  async function answer(activity: ManagerActivity, data: ManagerAnswerData, lang: Language): Promise<string> {
    let state;
    try {
      state = await asking(data.workflowId);
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
    let delivery;
    try {
      delivery = await deps.held.deliverOrHold(data.workflowId, {
        signal: 'managerResponse',
        // Teams redelivers an activity with the same id: applied once.
        payload: {
          responseId: `teams-manager:${activity.id ?? ''}`,
          slackUserId: state.managerAsked,
          answer: data.answer,
        },
      });
    } catch (err) {
      deps.logger.error({ err, workflowId: data.workflowId }, 'Teams manager answer not delivered');
      delivery = 'lost';
    }
    if (delivery === 'lost') return t(lang, 'reply.notSaved');
    if (delivery === 'held') return t(lang, 'reply.held');
    return t(lang, data.answer === 'does_not_know' ? 'manager.thanksAlerted' : 'manager.thanks');
  }

  return async (activity: ManagerActivity): Promise<string | undefined> => {
    const data = managerAnswerData(activity.value);
    return data ? answer(activity, data, await languageOf(activity)) : undefined;
  };
}
