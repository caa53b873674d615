import type { App, SlackViewAction, ViewOutput } from '@slack/bolt';
import { seal } from '../../lib/secret-box';
import type { SecondFactorResult } from '../../shared/messages';
import { PLAIN_CODE_PATTERN, sealedCodeContext } from '../../shared/sealed-code';
import { VIEW_IDS } from '../../shared/slack-ids';
import type { BotDeps } from '../deps';
import { InterviewNotFoundError, InterviewRefusedError } from '../interviews';
import {
  BLOCKS,
  codeFormatError,
  notAvailableModal,
  secondFactorOutcomeModal,
  verifyingModal,
  wrongCodeError,
} from '../../slack-blocks/second-factor';
import { withoutCodes } from '../../shared/sealed-code';
import { t } from '../../shared/i18n';
import { languageOfUser } from '../language';

/** Within Slack's 3 s for a view submission; past it the modal shows "Verifying…" and is updated later. */
export const INLINE_ANSWER_MS = 2200;

/**
 * The second-factor modal's submission: the "yes" answer with its justification, then the code, sealed
 * before it leaves the bot. A wrong code shows inline with the attempts left; a right one a success.
 */
export function registerSecondFactorView(app: App, deps: BotDeps): void {
  app.view<SlackViewAction>(VIEW_IDS.secondFactor, async ({ ack, body, view, client }) => {
    const lang = await languageOfUser(deps, body.user.id);
    const code = readInput(view, BLOCKS.code).replace(/\s+/g, '');
    if (!PLAIN_CODE_PATTERN.test(code))
      return ack({
        response_action: 'errors',
        errors: { [BLOCKS.code]: codeFormatError(lang) },
      });
    if (!deps.encryptionKey) {
      deps.logger.error('VOUCH_ENCRYPTION_KEY is not set: the bot cannot seal second-factor codes');
      return ack({ response_action: 'update', view: notAvailableModal(lang) });
    }
    const workflowId = view.private_metadata;
    const userId = body.user.id;
    const verification = (async (): Promise<SecondFactorResult | string> => {
      try {
        await deps.interviews.respond(workflowId, {
          responseId: `confirm:${view.id}`, // one "yes" per modal, however often it is resubmitted
          slackUserId: userId,
          answer: 'confirmed',
          justification: withoutCodes(readInput(view, BLOCKS.justification)).slice(0, 1000) || undefined,
        });
        return await deps.interviews.submitCode(
          workflowId,
          userId,
          seal(deps.encryptionKey!, code, sealedCodeContext(workflowId, userId)),
        );
      } catch (err) {
        if (err instanceof InterviewRefusedError || err instanceof InterviewNotFoundError)
          return t(lang, 'reply.noLongerYours');
        deps.logger.error({ err, workflowId }, 'could not submit the second factor');
        return t(lang, 'reply.notSaved');
      }
    })();
    const inTime = await Promise.race([
      verification,
      new Promise<null>((r) => setTimeout(() => r(null), INLINE_ANSWER_MS)),
    ]);
    if (inTime === null) {
      await ack({ response_action: 'update', view: verifyingModal(lang) });
      // Past "Verifying…" no inline error can show: a wrong code says so in the modal itself.
      await client.views.update({
        view_id: view.id,
        view: secondFactorOutcomeModal(await verification, true, lang),
      });
      return;
    }
    if (typeof inTime !== 'string' && !inTime.accepted && inTime.attemptsLeft > 0)
      return ack({
        response_action: 'errors',
        errors: { [BLOCKS.code]: wrongCodeError(inTime.attemptsLeft, lang) },
      });
    await ack({ response_action: 'update', view: secondFactorOutcomeModal(inTime, false, lang) });
  });
}

function readInput(view: ViewOutput, block: string): string {
  return view.state.values[block]?.value?.value ?? '';
}
