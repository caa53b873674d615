import type { Logger } from '../../lib/logger';
import { seal } from '../../lib/secret-box';
import type { TeamsConnector } from '../../lib/teams-connector';
import { DEFAULT_LANGUAGE, type Language, t } from '../../shared/i18n';
import type { OperatorActionKind, SecondFactorResult } from '../../shared/messages';
import type { UntimedEvent } from '../../shared/record/events';
import { PLAIN_CODE_PATTERN, sealedCodeContext, withoutCodes } from '../../shared/sealed-code';
import type { AlertStore } from '../../store/alerts';
import type { directoryStore } from '../../store/directory';
import {
  type CodeDialogOptions,
  DIALOG_INPUTS,
  OPERATOR_TEAMS_ACTIONS,
  TEAMS_ACTIONS,
  type TeamsActionData,
  codeDialogCard,
  wrongCodeText,
} from '../../teams/cards';
import { type InterviewGateway, InterviewNotFoundError, InterviewRefusedError } from '../interviews';
import { type PasskeyOfferDeps, passkeyOffer } from '../passkey-offer';
import { type TeamsLocales, teamsLanguages } from './locale';
import { teamsManagerAnswers } from './manager-answers';
import { isAboutOperator } from './operator-check';
import { chatReplier, teamsSenderOf, withoutShortcodes } from './chat';
import type { HeldAnswers } from '../held-answers';
import { RECORDED_CARD_PHASES, answerChecker } from './answer-check';
import { teamsSnoozeActions } from './snooze-actions';

/** What the Teams endpoint needs, given by bot/teams/server.ts's caller (and by tests). */
export interface TeamsBotDeps {
  interviews: InterviewGateway;
  directory: Pick<ReturnType<typeof directoryStore>, 'byAadObjectId'>;
  alerts: Pick<AlertStore, 'answerGate' | 'get'>;
  encryptionKey?: Buffer;
  logger: Logger;
  /** Appends to an alert's audit trail, once per key. */
  audit(workflowId: string, key: string, entry: UntimedEvent): Promise<void>;
  /** Replies in the chat (the answer's acknowledgement); absent, nothing is replied. */
  connector?: TeamsConnector;
  /** The operators' Teams channel, and who may act there (Entra object ids, lower case). */
  operatorsConversation?: string;
  operators: readonly string[];
  /** Where the locale Teams gives each person is kept (bot/teams/locale.ts). */
  locales?: TeamsLocales;
  /** The code dialog's "Verify with a passkey instead" (the answer page); absent, codes only. */
  passkeys?: PasskeyOfferDeps;
  /** Delivers an answer, or keeps it while Temporal is unreachable (bot/held-answers.ts). */
  held: Pick<HeldAnswers, 'deliverOrHold'>;
}

/** A Teams activity, as far as Vouch reads it. */
export interface TeamsActivity {
  type?: string;
  id?: string;
  name?: string;
  channelId?: string;
  serviceUrl?: string;
  from?: { id?: string; aadObjectId?: string };
  conversation?: { id?: string };
  value?: unknown;
  /** The user's Teams locale (`de-DE`): the language of what Vouch says back. */
  locale?: string;
}

/** What the endpoint answers: an invoke's body (a dialog's next step), or nothing. */
export type TeamsReply = { status: number; body?: unknown };

/** How long a dialog waits for the verification before saying it goes on without it. */
const DIALOG_ANSWER_MS = 10_000;
const ADAPTIVE_CARD = 'application/vnd.microsoft.card.adaptive';

/**
 * The employee's answers from Teams: "No" on the card (a message activity carrying the card's data),
 * "Yes" (a `task/fetch` invoke: the code dialog opens) and the dialog's submission (`task/submit`: the
 * justification and the code, sealed here exactly as the Slack modal seals it). The person is the
 * Entra object id Teams puts on the activity, named to the interview as the directory knows them;
 * only the interviewed employee gets past the check, and the interview refuses anyone else again.
 */
export function teamsAnswers(deps: TeamsBotDeps) {
  /**
   * The person behind an activity, as the interview's signals name them (`principal`) and as their
   * second factors are kept (`factorKey`: the Slack id, else `email:<address>`), from one directory read.
   */
  const whoIs = (activity: TeamsActivity) => teamsSenderOf(deps.directory, activity);

  const principalOf = async (activity: TeamsActivity) => (await whoIs(activity)).principal;
  const { languageOf } = teamsLanguages(deps.locales, deps.logger);

  const answerCheck = answerChecker(deps, whoIs);

  /** The interview if this person may answer it now; otherwise why not, in words for them. */
  const checkAnswerer = async (
    activity: TeamsActivity,
    data: TeamsActionData,
    principal: string | undefined,
    lang: Language,
    phases: readonly string[] = CARD_PHASES,
  ): Promise<{ ok: true } | { ok: false; say: string }> => {
    let state;
    try {
      state = await answerCheck(data.workflowId, principal, activity);
    } catch (err) {
      if (err instanceof InterviewNotFoundError) return { ok: false, say: t(lang, 'reply.checkGone') };
      deps.logger.error({ err, workflowId: data.workflowId }, 'Teams answer: interview unreachable');
      return { ok: false, say: t(lang, 'reply.notSaved') };
    }
    if (!state.asked) {
      await deps.audit(data.workflowId, `teams:${activity.id ?? ''}`, {
        actor: principal ?? `teams:${activity.from?.id ?? '?'}`,
        kind: 'unauthorized_click',
        button: `teams_${data.vouch}`,
      });
      return { ok: false, say: t(lang, 'reply.notYourAlert') };
    }
    if (state.outcome !== null) return { ok: false, say: t(lang, 'reply.finished') };
    if (state.phase === 'awaiting_manager') return { ok: false, say: t(lang, 'reply.timePassed') };
    const allowed = state.recorded ? [...RECORDED_CARD_PHASES, ...phases] : phases;
    if (!allowed.includes(state.phase)) return { ok: false, say: t(lang, 'reply.alreadyAnswered') };
    return { ok: true };
  };
  const titleOf = async (workflowId: string, lang: Language): Promise<string> =>
    (await deps.alerts.answerGate(workflowId.replace(/^alert-/, '')))?.title ?? t(lang, 'alert.untitled');

  const replyInChat = chatReplier(deps);
  const reply = (activity: TeamsActivity, text: string) =>
    replyInChat(activity, { type: 'message', text: withoutShortcodes(text) });

  const dialog = (
    workflowId: string,
    title: string,
    opts: CodeDialogOptions & { lang: Language },
  ): TeamsReply => ({
    status: 200,
    body: {
      task: {
        type: 'continue',
        value: {
          title: t(opts.lang, 'secondFactor.title'),
          card: { contentType: ADAPTIVE_CARD, content: codeDialogCard(workflowId, title, opts) },
        },
      },
    },
  });
  const dialogMessage = (text: string): TeamsReply => ({
    status: 200,
    body: { task: { type: 'message', value: withoutShortcodes(text) } },
  });

  /**
   * "No" from the card, and "Someone asked me to do this" from the card (after its confirmation, a
   * message activity) or from the code dialog (a `task/submit`, where a "Yes" may already be in): the
   * same answers as Slack's, `denied` and `coerced`, which the interview escalates at once.
   */
  async function answerAtOnce(
    activity: TeamsActivity,
    data: TeamsActionData,
    answer: 'denied' | 'coerced',
    inDialog = false,
  ): Promise<TeamsReply> {
    const lang = await languageOf(activity);
    const principal = await principalOf(activity);
    const phases = inDialog ? DIALOG_PHASES : CARD_PHASES;
    const checked = await checkAnswerer(activity, data, principal, lang, phases);
    const say = async (text: string): Promise<TeamsReply> => {
      if (inDialog) return dialogMessage(text);
      await reply(activity, text);
      return { status: 200 };
    };
    if (!checked.ok) return say(checked.say);
    let delivery;
    try {
      // Teams redelivers an activity with the same id: the same response id, applied once.
      delivery = await deps.held.deliverOrHold(data.workflowId, {
        signal: 'employeeResponse',
        payload: {
          responseId: `teams-${answer === 'denied' ? 'deny' : 'coerced'}:${activity.id ?? ''}`,
          slackUserId: principal!,
          answer,
        },
      });
    } catch (err) {
      deps.logger.error({ err, workflowId: data.workflowId, answer }, 'Teams answer not delivered');
      delivery = 'lost';
    }
    if (delivery === 'lost') return say(t(lang, 'reply.notSaved'));
    if (delivery === 'held') return say(t(lang, answer === 'denied' ? 'reply.held' : 'reply.heldCoerced'));
    if (answer === 'denied') return say(t(lang, 'reply.denied'));
    return say(t(lang, inDialog ? 'teams.coerced' : 'reply.coerced'));
  }

  async function openDialog(activity: TeamsActivity, data: TeamsActionData): Promise<TeamsReply> {
    const lang = await languageOf(activity);
    const who = await whoIs(activity);
    const checked = await checkAnswerer(activity, data, who.principal, lang);
    if (!checked.ok) return dialogMessage(checked.say);
    const offer =
      deps.passkeys && who.factorKey
        ? await passkeyOffer(deps.passkeys, data.workflowId, who.factorKey, new Date(), {
            source: 'teams_dialog',
            email: who.email,
          })
        : undefined;
    return dialog(data.workflowId, await titleOf(data.workflowId, lang), { lang, ...offer });
  }

  async function submitDialog(activity: TeamsActivity, data: TeamsActionData): Promise<TeamsReply> {
    const lang = await languageOf(activity);
    const who = await whoIs(activity);
    const { principal } = who;
    const code = String(data[DIALOG_INPUTS.code] ?? '').replace(/\s+/g, '');
    const title = await titleOf(data.workflowId, lang);
    if (!PLAIN_CODE_PATTERN.test(code))
      return dialog(data.workflowId, title, { lang, problem: t(lang, 'secondFactor.codeFormat') });
    if (!deps.encryptionKey) {
      deps.logger.error('VOUCH_ENCRYPTION_KEY is not set: the bot cannot seal second-factor codes');
      return dialogMessage(t(lang, 'reply.notSaved'));
    }
    if (!principal) return dialogMessage(t(lang, 'reply.notYourAlert'));
    const key = deps.encryptionKey;
    const verification = (async (): Promise<SecondFactorResult | string> => {
      try {
        const justification = withoutCodes(String(data[DIALOG_INPUTS.justification] ?? '')).slice(0, 1000);
        await deps.interviews.respond(data.workflowId, {
          // One "yes" per person and interview, however often the dialog is submitted.
          responseId: `teams-confirm:${data.workflowId}:${principal}`,
          slackUserId: principal,
          answer: 'confirmed',
          ...(justification ? { justification } : {}),
        });
        // The interview checks the code against the key the employee's factors are kept under.
        const factorKey = who.factorKey ?? principal;
        return await deps.interviews.submitCode(
          data.workflowId,
          factorKey,
          seal(key, code, sealedCodeContext(data.workflowId, factorKey)),
        );
      } catch (err) {
        if (err instanceof InterviewRefusedError || err instanceof InterviewNotFoundError)
          return t(lang, 'reply.noLongerYours');
        deps.logger.error(
          { err, workflowId: data.workflowId },
          'could not submit the second factor from Teams',
        );
        return t(lang, 'reply.notSaved');
      }
    })();
    const result = await Promise.race([
      verification,
      new Promise<null>((r) => setTimeout(() => r(null), DIALOG_ANSWER_MS)),
    ]);
    if (result === null) return dialogMessage(t(lang, 'teams.verifying'));
    if (typeof result === 'string') return dialogMessage(result);
    if (result.accepted) return dialogMessage(t(lang, 'teams.verified'));
    if (result.attemptsLeft > 0)
      return dialog(data.workflowId, title, { lang, problem: wrongCodeText(result.attemptsLeft, lang) });
    return dialogMessage(t(lang, 'secondFactor.notVerified'));
  }

  /**
   * An operator's button in the operators' channel (Close on an escalation, Approve / Skip on an
   * approval request): only there, only operators.
   */
  async function operatorAct(activity: TeamsActivity, data: TeamsActionData): Promise<TeamsReply> {
    const channel = activity.conversation?.id?.split(';')[0];
    if (!deps.operatorsConversation || channel !== deps.operatorsConversation) return { status: 200 };
    const oid = activity.from?.aadObjectId?.toLowerCase();
    const operator = oid ? `aad:${oid}` : `teams:${activity.from?.id ?? '?'}`;
    if (!oid || !deps.operators.includes(oid)) {
      await deps.audit(data.workflowId, `teams:${activity.id ?? ''}`, {
        actor: operator,
        kind: 'unauthorized_click',
        button: `teams_${data.vouch}`,
      });
      await reply(activity, 'Only the operators named in VOUCH_TEAMS_OPERATORS can do that.');
      return { status: 200 };
    }
    const action = data.vouch as OperatorActionKind;
    if (await isAboutOperator(deps, data.workflowId, oid).catch(() => false)) {
      await deps.audit(data.workflowId, `teams:${activity.id ?? ''}`, {
        actor: operator,
        kind: 'self_action_refused',
        operator,
        action,
      });
      await reply(activity, 'This alert is about you, so another operator must decide it.');
      return { status: 200 };
    }
    try {
      // The workflow checks the rest: nobody acts on an alert about themselves, decisions only while open.
      await deps.interviews.act(data.workflowId, {
        actionId: `teams-${action}:${activity.id ?? ''}`,
        operator,
        action,
      });
    } catch (err) {
      deps.logger.error({ err, workflowId: data.workflowId }, 'Teams operator action not delivered');
      await reply(activity, t(DEFAULT_LANGUAGE, 'reply.notSaved'));
    }
    return { status: 200 };
  }

  const managerAnswer = teamsManagerAnswers(deps);
  const snoozeAction = teamsSnoozeActions(deps);

  return async function handle(activity: TeamsActivity): Promise<TeamsReply> {
    const snoozed = await snoozeAction(activity);
    if (snoozed) return snoozed;
    if (activity.type === 'invoke') {
      const data = actionData((activity.value as { data?: unknown } | undefined)?.data);
      if (!data) return { status: 200, body: {} };
      if (activity.name === 'task/fetch' && data.vouch === TEAMS_ACTIONS.confirm)
        return openDialog(activity, data);
      if (activity.name === 'task/submit' && data.vouch === TEAMS_ACTIONS.submitCode)
        return submitDialog(activity, data);
      if (activity.name === 'task/submit' && data.vouch === TEAMS_ACTIONS.coerced)
        return answerAtOnce(activity, data, 'coerced', true);
      return { status: 200, body: {} };
    }
    if (activity.type === 'message') {
      const toManager = await managerAnswer(activity);
      if (toManager !== undefined) {
        await reply(activity, toManager);
        return { status: 200 };
      }
      const data = actionData(activity.value);
      if (data?.vouch === TEAMS_ACTIONS.deny) return answerAtOnce(activity, data, 'denied');
      if (data?.vouch === TEAMS_ACTIONS.coerced) return answerAtOnce(activity, data, 'coerced');
      if (data && OPERATOR_TEAMS_ACTIONS.includes(data.vouch)) return operatorAct(activity, data);
    }
    // Installation and conversation updates, typing, free text: nothing to do.
    return { status: 200 };
  };
}

/** Where an answer from the card counts, and where the dialog's (its "Yes" may already be in). */
const CARD_PHASES: readonly string[] = ['awaiting_response'];
const DIALOG_PHASES: readonly string[] = ['awaiting_response', 'awaiting_second_factor'];

/** The card data a button or the dialog sent back, if it is Vouch's. */
function actionData(value: unknown): (TeamsActionData & Record<string, unknown>) | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  const actions: readonly unknown[] = Object.values(TEAMS_ACTIONS);
  if (!actions.includes(v.vouch) || typeof v.workflowId !== 'string') return undefined;
  return v as TeamsActionData & Record<string, unknown>;
}
