import { DEFAULT_LANGUAGE, type Language, t } from '../../shared/i18n';
import { eventsOfKind } from '../../shared/record/events';
import { withoutCodes } from '../../shared/sealed-code';
import type { SnoozeRequestResult } from '../../shared/snooze';
import {
  SNOOZE_INPUTS,
  SNOOZE_TEAMS_ACTIONS,
  type SnoozeActionData,
  snoozeActionData,
  snoozeDialogCard,
} from '../../teams/snooze-cards';
import { InterviewNotFoundError, InterviewRefusedError } from '../interviews';
import type { TeamsActivity, TeamsBotDeps, TeamsReply } from './answers';
import { chatReplier, teamsSenderOf, withoutShortcodes } from './chat';
import { teamsLanguages } from './locale';
import { isAboutOperator } from './operator-check';

const ADAPTIVE_CARD = 'application/vnd.microsoft.card.adaptive';

/**
 * The snooze from Teams, as Slack's: the outcome card's button opens the dialog (for the interviewed
 * employee only, by Entra object id), its submission asks the interview through the same update;
 * Approve and Refuse in the operators' channel are for configured operators other than the employee
 * (the interview checks the policy's approvers). Undefined for an activity that is no snooze's.
 */
export function teamsSnoozeActions(deps: TeamsBotDeps) {
  const { languageOf } = teamsLanguages(deps.locales, deps.logger);
  const replyInChat = chatReplier(deps);
  const reply = (activity: TeamsActivity, text: string) =>
    replyInChat(activity, { type: 'message', text: withoutShortcodes(text) });
  const dialogMessage = (text: string): TeamsReply => ({
    status: 200,
    body: { task: { type: 'message', value: withoutShortcodes(text) } },
  });
  const audit = (activity: TeamsActivity, data: SnoozeActionData, entry: Record<string, unknown>) =>
    deps.audit(data.workflowId, `teams:${activity.id ?? ''}`, entry as never);

  /** The offer this person may take now, or what to tell them. */
  async function openOffer(
    activity: TeamsActivity,
    data: SnoozeActionData,
    lang: Language,
  ): Promise<{ say: string } | { principal: string; choices: string[]; title: string }> {
    const { principal } = await teamsSenderOf(deps.directory, activity);
    const actor = principal ?? `teams:${activity.from?.id ?? '?'}`;
    let state;
    try {
      state = await deps.interviews.state(data.workflowId);
    } catch (err) {
      if (err instanceof InterviewNotFoundError) return { say: t(lang, 'reply.checkGone') };
      deps.logger.error({ err, workflowId: data.workflowId }, 'Teams snooze: interview unreachable');
      return { say: t(lang, 'reply.notSaved') };
    }
    if (!principal || state.employee !== principal) {
      await audit(activity, data, { actor, kind: 'unauthorized_click', button: `teams_${data.vouch}` });
      return { say: t(lang, 'snooze.notYours') };
    }
    const offer = eventsOfKind(state.transcript, 'snooze_offered').at(-1);
    if (!offer || Date.parse(offer.until) < Date.now()) {
      const reason = offer ? 'offer_expired' : 'not_offered';
      await audit(activity, data, { actor, kind: 'snooze_refused', reason });
      return { say: t(lang, offer ? 'snooze.offerExpired' : 'snooze.onlyAfterVerified') };
    }
    const title = eventsOfKind(state.transcript, 'alert_received')[0]?.title ?? t(lang, 'alert.untitled');
    return { principal, choices: offer.choices, title };
  }

  async function openDialog(activity: TeamsActivity, data: SnoozeActionData): Promise<TeamsReply> {
    const lang = await languageOf(activity);
    const offer = await openOffer(activity, data, lang);
    if ('say' in offer) return dialogMessage(offer.say);
    const card = snoozeDialogCard(data.workflowId, offer.title, offer.choices, lang);
    return {
      status: 200,
      body: {
        task: {
          type: 'continue',
          value: { title: t(lang, 'snooze.title'), card: { contentType: ADAPTIVE_CARD, content: card } },
        },
      },
    };
  }

  async function request(activity: TeamsActivity, data: SnoozeActionData): Promise<TeamsReply> {
    const lang = await languageOf(activity);
    const offer = await openOffer(activity, data, lang);
    if ('say' in offer) return dialogMessage(offer.say);
    const duration = String(data[SNOOZE_INPUTS.duration] ?? '');
    const reason = withoutCodes(String(data[SNOOZE_INPUTS.reason] ?? '')).slice(0, 300);
    let result: SnoozeRequestResult;
    try {
      result = await deps.interviews.requestSnooze(data.workflowId, {
        // Teams redelivers an activity with the same id: one request, applied once.
        requestId: `teams-snooze:${activity.id ?? ''}`,
        slackUserId: offer.principal,
        duration,
        ...(reason ? { reason } : {}),
      });
    } catch (err) {
      if (err instanceof InterviewRefusedError || err instanceof InterviewNotFoundError) {
        await audit(activity, data, {
          actor: offer.principal,
          kind: 'snooze_refused',
          reason: 'offer_expired',
          duration: duration.slice(0, 20),
        });
        return dialogMessage(t(lang, 'snooze.notPossible'));
      }
      deps.logger.error({ err, workflowId: data.workflowId }, 'could not ask for the snooze from Teams');
      return dialogMessage(t(lang, 'reply.notSaved'));
    }
    if (!result.accepted) return dialogMessage(t(lang, 'snooze.notPossible'));
    return dialogMessage(t(lang, result.approval ? 'snooze.asked' : 'snooze.done'));
  }

  /** Approve / Refuse in the operators' channel: only there, only configured operators, never their own. */
  async function decide(activity: TeamsActivity, data: SnoozeActionData): Promise<TeamsReply> {
    const channel = activity.conversation?.id?.split(';')[0];
    if (!deps.operatorsConversation || channel !== deps.operatorsConversation) return { status: 200 };
    const decision = data.vouch === SNOOZE_TEAMS_ACTIONS.approve ? 'approve' : 'refuse';
    const oid = activity.from?.aadObjectId?.toLowerCase();
    const operator = oid ? `aad:${oid}` : `teams:${activity.from?.id ?? '?'}`;
    if (!oid || !deps.operators.includes(oid)) {
      await audit(activity, data, {
        actor: operator,
        kind: 'unauthorized_operator_action',
        button: `${decision} snooze`,
      });
      await reply(activity, 'Only the operators named in VOUCH_TEAMS_OPERATORS can do that.');
      return { status: 200 };
    }
    if (await isAboutOperator(deps, data.workflowId, oid).catch(() => false)) {
      await audit(activity, data, {
        actor: operator,
        kind: 'self_action_refused',
        operator,
        action: `${decision} snooze`,
      });
      await reply(activity, 'This snooze is yours, so another operator must decide it.');
      return { status: 200 };
    }
    try {
      // The interview checks the rest: the policy's approvers, and never the employee who asked.
      await deps.interviews.decideSnooze(data.workflowId, {
        decisionId: `teams-snooze-${decision}:${activity.id ?? ''}`,
        operator,
        decision,
      });
    } catch (err) {
      deps.logger.error({ err, workflowId: data.workflowId }, 'Teams snooze decision not delivered');
      await reply(activity, t(DEFAULT_LANGUAGE, 'reply.notSaved'));
      return { status: 200 };
    }
    await reply(activity, `Done: snooze ${decision === 'approve' ? 'approved' : 'refused'}.`);
    return { status: 200 };
  }

  return async function handleSnooze(activity: TeamsActivity): Promise<TeamsReply | undefined> {
    const isInvoke = activity.type === 'invoke';
    const value = isInvoke ? (activity.value as { data?: unknown } | undefined)?.data : activity.value;
    const data = snoozeActionData(value);
    if (!data) return undefined;
    if (isInvoke && activity.name === 'task/fetch' && data.vouch === SNOOZE_TEAMS_ACTIONS.open)
      return openDialog(activity, data);
    if (isInvoke && activity.name === 'task/submit' && data.vouch === SNOOZE_TEAMS_ACTIONS.request)
      return request(activity, data);
    const decision =
      data.vouch === SNOOZE_TEAMS_ACTIONS.approve || data.vouch === SNOOZE_TEAMS_ACTIONS.refuse;
    if (activity.type === 'message' && decision) return decide(activity, data);
    return isInvoke ? { status: 200, body: {} } : { status: 200 };
  };
}
