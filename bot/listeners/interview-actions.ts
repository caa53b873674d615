import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { ACTION_IDS } from '../../shared/slack-ids';
import type { BotDeps } from '../deps';
import { InterviewNotFoundError, WORKFLOW_ID_PATTERN } from '../interviews';
import type { InterviewState } from '../../shared/messages';
import { coercionReportedModal, secondFactorModal } from '../../slack-blocks/second-factor';
import { tellUser, unreachable } from './replies';
import { type Language, t } from '../../shared/i18n';
import { languageOfUser } from '../language';
import { passkeyOffer } from '../passkey-offer';
import { eventsOfKind } from '../../shared/record/events';

/**
 * The employee's buttons in the interview DM. "Yes" opens the second-factor modal (within the 3 s a
 * trigger_id lives; with a passkey, it also offers the answer page: bot/passkey-offer.ts); "No" and "Someone asked me to do this" (after Slack's confirm dialog) signal at once. Only the interviewed employee
 * can answer; anyone else is told so and the attempt goes into the alert's audit trail.
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
    try {
      // Slack redelivers a click with the same action_ts: the same response id, applied once.
      await deps.interviews.respond(checked.workflowId, {
        responseId: `deny:${body.user.id}:${action.action_ts}`,
        slackUserId: body.user.id,
        answer: 'denied',
      });
    } catch (err) {
      return unreachable(deps, client, body, err);
    }
    await tellUser(client, body, t(checked.lang, 'reply.denied'));
  });

  // "Someone asked me to do this": from the DM, or from the second-factor modal after "Yes".
  app.action<BlockAction<ButtonAction>>(ACTION_IDS.coerced, async ({ ack, body, action, client }) => {
    await ack();
    const inModal = body.view?.id;
    const checked = await checkAnswerer(deps, client, body, action, inModal ? MODAL_PHASES : DM_PHASES);
    if (!checked) return;
    try {
      await deps.interviews.respond(checked.workflowId, {
        responseId: `coerced:${body.user.id}:${action.action_ts}`,
        slackUserId: body.user.id,
        answer: 'coerced',
      });
    } catch (err) {
      return unreachable(deps, client, body, err);
    }
    if (inModal) await client.views.update({ view_id: inModal, view: coercionReportedModal(checked.lang) });
    else await tellUser(client, body, t(checked.lang, 'reply.coerced'));
  });
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
type AnswerState = Pick<InterviewState, 'employee' | 'outcome' | 'phase'> & { title: string | undefined };

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

/** The interview behind a click, if the clicker may answer it now; otherwise the clicker is told why. */
async function checkAnswerer(
  deps: BotDeps,
  client: WebClient,
  body: BlockAction,
  action: ButtonAction,
  phases: readonly string[] = DM_PHASES,
  read: (deps: BotDeps, workflowId: string) => Promise<AnswerState> = queriedState,
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
  if (state.outcome !== null || !phases.includes(state.phase)) {
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
