import type { AlertInput } from '../shared/alert';
import type { Outcome } from '../shared/constants';
import { type Language, t } from '../shared/i18n';
import { alertSummaryBlocks, alertTitle } from './alert-summary';
import { section } from './parts';
import { snoozeOfferBlocks } from './snooze';

/** The interview DM once the interview has an outcome: no buttons, and what happens next. */

/** `snoozeOffer`: a verified "yes" the policy lets the employee snooze (the button carries the interview). */
export function outcomeForEmployee(
  alert: AlertInput,
  outcome: Outcome,
  linkHosts: readonly string[] = [],
  snoozeOffer?: { workflowId: string; approval: boolean },
  lang: Language = 'en',
) {
  const said = t(lang, `outcome.${outcome}`);
  return {
    text: `${alertTitle(alert)}: ${said}`,
    blocks: [
      ...alertSummaryBlocks(alert, linkHosts, lang),
      section(said),
      ...(snoozeOffer ? snoozeOfferBlocks(snoozeOffer.workflowId, snoozeOffer.approval, lang) : []),
    ],
  };
}
