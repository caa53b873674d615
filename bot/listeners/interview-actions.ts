import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import type { View } from '@slack/types';
import type { WebClient } from '@slack/web-api';
import { ACTION_IDS } from '../../shared/slack-ids';
import type { BotDeps } from '../deps';
import { InterviewNotFoundError, WORKFLOW_ID_PATTERN } from '../interviews';
import type { InterviewState } from '../../shared/messages';
import {
  coercionHeldModal,
  coercionReportedModal,
  secondFactorModal,
  secondFactorOutcomeModal,
} from '../../slack-blocks/second-factor';
import { tellUser, unreachable } from './replies';
import type { Delivery } from '../held-answers';
import { type Language, t } from '../../shared/i18n';
import { languageOfUser } from '../language';
import { passkeyOffer } from '../passkey-offer';
import { eventsOfKind } from '../../shared/record/events';

/**
 * The employee's buttons in the interview DM. "Yes" opens the second-factor modal (within the 3 s a
 * trigger_id lives; with a passkey, it also offers the answer page: bot/passkey-offer.ts); "No" and "Someone asked me to do this" (after Slack's confirm dialog) signal at once, or are
 * kept while Temporal is unreachable (checked then against the alert's record) and delivered later.
 * Only the interviewed employee can answer; anyone else is told so and the attempt goes into the
 * alert's audit trail.
 */
export function registerInterviewActions(app: App, deps: BotDeps): void {
  app.action<BlockAction<ButtonAction>>(ACTION_IDS.confirm, async ({ ack, body, action, client }) => {
    await ack();
    // The modal's trigger_id lives 3 s: the check reads the alert's record (one read by _id) rather
    // than query the workflow, which waits for a worker to run a task and is late when workers are busy.
    // The workflow still refuses a code from anyone else or after the outcome.
    const checked = await checkAnswerer(deps, client, body, action, RECORDED_DM_PHASES, recordedState);
    if (!checked) return;
    const passkey = await passkeyOffer(deps, checked.workflowId, body.user.id, new Date());
    await client.views.open({
      trigger_id: body.trigger_id,
      view: secondFactorModal(checked.workflowId, checked.title, checked.lang, passkey),
    });
  });

  // The link button to the answer page opens the browser by itself; Slack still expects an ack.
  app.action(ACTION_IDS.passkeyInstead, async ({ ack }) => ack());

  app.action<BlockAction<ButtonAction>>(ACTION_IDS.deny, async ({ ack, body, action, client }) => {
    await ack();
    const checked = await checkAnswerer(deps, client, body, action);
    if (!checked) return;
    const delivery = await sendOrHold(deps, checked.workflowId, body, action, 'denied');
    await tellUser(client, body, replyTo(checked.lang, delivery, 'denied'));
  });

  // "Someone asked me to do this": from the DM, or from the second-factor modal after "Yes".
  app.action<BlockAction<ButtonAction>>(ACTION_IDS.coerced, async ({ ack, body, action, client }) => {
    await ack();
    const inModal = body.view?.id;
    const phases = inModal ? MODAL_PHASES : DM_PHASES;
    const checked = await checkAnswerer(deps, client, body, action, phases);
    if (!checked) return;
    const delivery = await sendOrHold(deps, checked.workflowId, body, action, 'coerced');
    if (inModal) await client.views.update({ view_id: inModal, view: modalAfter(checked.lang, delivery) });
    else await tellUser(client, body, replyTo(checked.lang, delivery, 'coerced'));
  });
}

/**
 * Sends "No" or "Someone asked me to do this" to the interview, or keeps it while Temporal is
 * unreachable (bot/held-answers.ts). Its id is the clicked message's (or modal's) and the clicker's:
 * Slack redelivering the click, or the employee clicking again while the answer is kept, counts once.
 */
async function sendOrHold(
  deps: BotDeps,
  workflowId: string,
  body: BlockAction,
  action: ButtonAction,
  answer: 'denied' | 'coerced',
): Promise<Delivery> {
  const where = body.view?.id ?? body.container?.message_ts ?? action.action_ts;
  try {
    return await deps.held.deliverOrHold(workflowId, {
      signal: 'employeeResponse',
      payload: {
        responseId: `${answer === 'denied' ? 'deny' : 'coerced'}:${body.user.id}:${where}`,
        slackUserId: body.user.id,
        answer,
      },
    });
  } catch (err) {
    // The interview ended between the check and the answer: nothing to keep it for.
    deps.logger.error({ err, workflowId, answer }, 'Slack answer not delivered');
    return 'lost';
  }
}

function modalAfter(lang: Language, delivery: Delivery): View {
  if (delivery === 'lost') return secondFactorOutcomeModal(t(lang, 'reply.notSaved'), false, lang);
  return delivery === 'held' ? coercionHeldModal(lang) : coercionReportedModal(lang);
}

function replyTo(lang: Language, delivery: Delivery, answer: 'denied' | 'coerced'): string {
  if (delivery === 'lost') return `:warning: ${t(lang, 'reply.notSaved')}`;
  if (delivery === 'held')
    return `:hourglass: ${t(lang, answer === 'denied' ? 'reply.held' : 'reply.heldCoerced')}`;
  return t(lang, answer === 'denied' ? 'reply.denied' : 'reply.coerced');
}

/** Where an answer from the DM counts, and where the modal's (its "Yes" may already be in). */
const DM_PHASES: readonly string[] = ['awaiting_response'];
/** The record is written after the workflow moves on: it may still show a phase before the DM. */
const RECORDED_DM_PHASES: readonly string[] = [
  'starting',
  'queued',
  'awaiting_approval',
  'awaiting_leader',
  ...DM_PHASES,
];

/** Who answers an interview and where it stands. */
type AnswerState = Pick<InterviewState, 'employee' | 'outcome' | 'phase'> & {
  title: string | undefined;
  /** Read from the record: its phase may still be one before the DM's. */
  lagging?: true;
};

async function queriedState(deps: BotDeps, workflowId: string): Promise<AnswerState> {
  const state = await deps.interviews.state(workflowId);
  const title = eventsOfKind(state.transcript, 'alert_received')[0]?.title;
  return { employee: state.employee, outcome: state.outcome, phase: state.phase, title };
}

async function recordedState(deps: BotDeps, workflowId: string): Promise<AnswerState> {
  const gate = WORKFLOW_ID_PATTERN.test(workflowId)
    ? await deps.alerts.answerGate(workflowId.replace(/^alert-/, ''))
    : null;
  if (!gate) throw new InterviewNotFoundError(`no interview ${workflowId}`);
  return {
    employee: gate.employeeSlackId ?? null,
    outcome: gate.outcome,
    phase: gate.phase,
    title: gate.title,
  };
}
const MODAL_PHASES: readonly string[] = ['awaiting_response', 'awaiting_second_factor'];

/**
 * The interview's own state, else (Temporal unreachable) its record's, so that an answer can still be
 * taken and held. The record's phase may lag: it may show a phase before the DM (the interview checks
 * the answer again when it gets it).
 */
async function stateOrRecord(deps: BotDeps, workflowId: string): Promise<AnswerState> {
  try {
    return await queriedState(deps, workflowId);
  } catch (err) {
    if (err instanceof InterviewNotFoundError) throw err;
    deps.logger.warn({ err, workflowId }, 'Slack answer: interview unreachable, checked against its record');
    const recorded = await recordedState(deps, workflowId);
    return { ...recorded, lagging: true };
  }
}

/** The interview behind a click, if the clicker may answer it now; otherwise the clicker is told why. */
async function checkAnswerer(
  deps: BotDeps,
  client: WebClient,
  body: BlockAction,
  action: ButtonAction,
  phases: readonly string[] = DM_PHASES,
  read: (deps: BotDeps, workflowId: string) => Promise<AnswerState> = stateOrRecord,
): Promise<{ workflowId: string; title: string; lang: Language } | null> {
  const workflowId = action.value ?? '';
  const lang = await languageOfUser(deps, body.user.id);
  let state;
  try {
    state = await read(deps, workflowId);
  } catch (err) {
    if (err instanceof InterviewNotFoundError) {
      deps.logger.warn({ workflowId, user: body.user.id }, 'click for an unknown interview ignored');
      await tellUser(client, body, t(lang, 'reply.checkGone'));
      return null;
    }
    await unreachable(deps, client, body, err);
    return null;
  }
  if (state.employee !== body.user.id) {
    await deps.audit(workflowId, `click:${body.user.id}:${action.action_ts}`, {
      actor: body.user.id,
      kind: 'unauthorized_click',
      button: action.action_id,
    });
    await tellUser(client, body, t(lang, 'reply.notYourAlert'));
    return null;
  }
  const allowed = state.lagging ? [...phases, ...RECORDED_DM_PHASES] : phases;
  if (state.outcome !== null || !allowed.includes(state.phase)) {
    await tellUser(
      client,
      body,
      t(
        lang,
        state.outcome !== null
          ? 'reply.finished'
          : state.phase === 'awaiting_manager'
            ? 'reply.timePassed'
            : 'reply.alreadyAnswered',
      ),
    );
    return null;
  }
  return { workflowId, title: state.title ?? t(lang, 'alert.untitled'), lang };
}
