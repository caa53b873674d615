import type { AlertInput } from '../shared/alert';
import type { Outcome } from '../shared/constants';
import { alertSummaryBlocks, alertTitle } from './alert-summary';
import { section } from './parts';
import { snoozeOfferBlocks } from './snooze';

/** The interview DM once the interview has an outcome: no buttons, and what happens next. */
const OUTCOME_TEXT: Record<Outcome, string> = {
  confirmed_verified:
    ':white_check_mark: Thanks, you confirmed this and verified it was you. Nothing else to do.',
  denied:
    ':rotating_light: You reported that this was not you. The security team has been alerted and will contact you shortly. Please keep an eye on your account.',
  no_response: ':hourglass: This check expired without an answer and went to the security team.',
  second_factor_failed: ':x: The second-factor check did not succeed, so this went to the security team.',
  not_enrolled:
    ':information_source: You have no second factor enrolled, so the security team will follow up.',
  unknown_employee: 'This check could not be matched to you and went to the security team.',
  suppressed: 'You recently confirmed the same activity; nothing to do.',
  skipped_by_operator: 'The security team closed this check; nothing to do.',
  closed_by_operator: 'The security team closed this check; nothing to do.',
  escalated_by_operator: 'The security team has taken over this check.',
  disabled_by_policy: 'Nothing to do: this kind of alert is not checked with you.',
  failed_closed: 'Vouch could not finish this check, so it went to the security team.',
  cancelled: 'This check was stopped, and the security team has been told.',
  manager_confirmed:
    ':information_source: This check expired without your answer; your manager said they know about it, so it was closed.',
  coercion_reported: [
    ':rotating_light: Thank you for telling us. Please do this now:',
    '• End the call or chat with whoever asked you.',
    '• Share no codes and approve no login prompts, whoever asks.',
    "• Don't install or run anything they sent you.",
    'The security team has been alerted as a priority and will contact you here in Slack shortly. Treat anyone else who says they are from security with suspicion until then.',
  ].join('\n'),
};

/** `snoozeOffer`: a verified "yes" the policy lets the employee snooze (the button carries the interview). */
export function outcomeForEmployee(
  alert: AlertInput,
  outcome: Outcome,
  linkHosts: readonly string[] = [],
  snoozeOffer?: { workflowId: string; approval: boolean },
) {
  return {
    text: `${alertTitle(alert)}: ${OUTCOME_TEXT[outcome]}`,
    blocks: [
      ...alertSummaryBlocks(alert, linkHosts),
      section(OUTCOME_TEXT[outcome]),
      ...(snoozeOffer ? snoozeOfferBlocks(snoozeOffer.workflowId, snoozeOffer.approval) : []),
    ],
  };
}
