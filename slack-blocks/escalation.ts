import type { KnownBlock } from '@slack/types';
import type { AlertInput } from '../shared/alert';
import type { Outcome } from '../shared/constants';
import { type InterviewEvent, managerVouched } from '../shared/record/events';
import { ACTION_IDS } from '../shared/slack-ids';
import { SLACK_LIMITS as L, slackText } from '../shared/slack-text';
import { type InvestigationReport, formatDuration } from '../report/investigation';
import { alertSummaryBlocks, alertTitle } from './alert-summary';
import { confirmDialog, context, section, temporalLink } from './parts';
import { employeeMarkup, employeeOf, slackEventText, slackPerson } from './record-format';

/** The escalation report in the security channel: the alert, the key facts, the summary and the timeline. */

/** The analyst summary, or why there is none; always labelled as machine-written. */
export type ReportSummary = { text: string; model?: string } | { missing: string };

export interface ReportInput {
  alert: AlertInput;
  outcome: Outcome;
  /** The record: the timeline is rendered from it, and the employee named from its fields. */
  transcript: readonly InterviewEvent[];
  uiLink: string;
  summary?: ReportSummary;
  /** The investigation report's key facts: second-factor result, time to first answer and to outcome. */
  facts?: InvestigationReport;
  /** The escalation waits for an operator to close it (PagerDuty or webhook targets): a Close button for it. */
  closeButtonFor?: string;
  /** Who closed the escalation (the post loses its button and says so). */
  closedBy?: string;
  /** The resolved employee, for a record without the policy event (stored before events were typed). */
  employeeSlackId?: string;
  /** Hosts whose https URLs the alert's link may point to (VOUCH_LINK_HOSTS). */
  linkHosts?: readonly string[];
}

/** Heads the post when the employee says someone asked them to act: it may be happening right now. */
export const COERCION_FLAG =
  ':sos: *PRIORITY: possible social engineering in progress.* The employee says someone asked them to do ' +
  'this. Reach them now through a channel you trust; they were told to end the call or chat, share no ' +
  'codes and approve no prompts.';

/** Marks an escalation the employee's manager said they know about. */
export const MANAGER_VOUCHED_FLAG =
  ':information_source: Lower priority: the employee did not answer, and their manager says they know about this (a statement, not a verification).';

/** How many of the last events the post shows; the report has them all. */
const TIMELINE_EVENTS = 25;
const TIMELINE_HEADING = '*Timeline*\n';

export function escalationReport(input: ReportInput) {
  const { alert, outcome, uiLink, linkHosts = [] } = input;
  const employee = employeeMarkup(
    employeeOf({ input: alert, employeeSlackId: input.employeeSlackId, transcript: input.transcript }),
  );
  const priority = outcome === 'coercion_reported';
  const lower = !priority && managerVouched(input.transcript);
  return {
    text: `${priority ? ':sos: PRIORITY, possible social engineering in progress. ' : ':rotating_light: '}Escalated (${outcome}): ${alertTitle(alert)} (${employee})`,
    blocks: [
      ...(priority ? [section(COERCION_FLAG)] : []),
      ...(lower ? [context(MANAGER_VOUCHED_FLAG)] : []),
      section(`:rotating_light: *Escalated: ${outcome.replace(/_/g, ' ')}*\nEmployee: ${employee}`),
      ...alertSummaryBlocks(alert, linkHosts),
      ...factsBlocks(input.facts),
      ...summaryBlocks(input.summary),
      section(`${TIMELINE_HEADING}${timeline(input.transcript) || '(empty)'}`),
      ...closeBlocks(input.closeButtonFor, input.closedBy),
      temporalLink(uiLink, 'Open the interview in Temporal'),
    ] as KnownBlock[],
  };
}

/**
 * The last events, one line each, rendered from their fields: actors and the people an event names
 * are mentions, what anyone wrote is inert. Whole lines are dropped from the start to fit a section,
 * so a mention is never cut in half.
 */
export function timeline(events: readonly InterviewEvent[]): string {
  const lines = events
    .slice(-TIMELINE_EVENTS)
    .map(
      (e) =>
        `\`${e.at.slice(11, 19)}\` ${slackPerson(e.actor)}${e.machineWritten ? ' (machine-written)' : ''}: ${slackEventText(e)}`,
    );
  const room = L.sectionText - TIMELINE_HEADING.length;
  while (lines.length > 1 && lines.join('\n').length > room) lines.shift();
  return lines.join('\n');
}

function summaryBlocks(summary: ReportSummary | undefined): KnownBlock[] {
  if (!summary) return [];
  const text =
    'missing' in summary
      ? `*Machine-written summary*: none (${slackText(summary.missing, 500)}).`
      : `*Machine-written summary* :robot_face: _written by a language model${summary.model ? ` (${slackText(summary.model, 100)})` : ''} from the conversation below; not a decision, check it against the timeline_\n${slackText(summary.text, 2600)}`;
  return [section(text)];
}

function factsBlocks(facts: InvestigationReport | undefined): KnownBlock[] {
  if (!facts) return [];
  const text = `Second factor: ${facts.secondFactor.result.replace(/_/g, ' ')}  ·  First answer after: ${formatDuration(facts.timeToFirstAnswerMs)}  ·  Outcome after: ${formatDuration(facts.timeToOutcomeMs)}`;
  // The record's head when posted: whoever keeps it can later prove the stored record unchanged.
  const head = facts.recordHead;
  return [
    ...(facts.covers && facts.covers > 1
      ? [
          section(
            `:repeat: *This escalation covers ${facts.covers} alerts*: one interview asked about all of them, and each of the others references this post.`,
          ),
        ]
      : []),
    context(text),
    ...(head ? [context(`Record: ${head.count} events, head hash \`${head.hash}\``)] : []),
  ];
}

/** The Close button while the escalation waits for an operator, then who closed it. */
function closeBlocks(closeButtonFor: string | undefined, closedBy: string | undefined): KnownBlock[] {
  if (closedBy) return [context(`:white_check_mark: Closed by ${slackPerson(closedBy)}`)];
  return closeButtonFor ? [closeEscalationButton(closeButtonFor)] : [];
}

/** Closing resolves the escalation's PagerDuty incident and tells its webhook (the bot's operator buttons). */
function closeEscalationButton(workflowId: string): KnownBlock {
  return {
    type: 'actions',
    block_id: 'vouch_escalation',
    elements: [
      {
        type: 'button',
        action_id: ACTION_IDS.close,
        text: { type: 'plain_text', text: 'Close (resolve)' },
        value: workflowId,
        confirm: confirmDialog(
          'Close this escalation?',
          'Its PagerDuty incident is resolved and its webhook told.',
          'Close',
        ),
      },
    ],
  };
}
