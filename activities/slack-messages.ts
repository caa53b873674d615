import type { KnownBlock } from '@slack/web-api';
import type { AlertInput } from '../shared/alert';
import type { Outcome } from '../shared/constants';
import type { TranscriptEntry } from '../shared/messages';
import { type InvestigationReport, formatDuration } from '../report/investigation';
import { ACTION_IDS } from '../shared/slack-ids';
import {
  SLACK_LIMITS as L,
  cutText,
  escapeMrkdwn,
  keyText,
  plainText,
  slackText,
  visibleControls,
} from '../shared/slack-text';
import { renderTemplate } from '../shared/templates';
import { renderEvent } from '../shared/record/render';

export { escapeMrkdwn };

/**
 * Block Kit for every message Vouch sends. Alert data is always escaped and defanged, so a title or
 * detail can never become a mention, a link or a formatting trick in Slack, and every text is cut to
 * Slack's limit after that (shared/slack-text.ts), so no alert makes Slack refuse a message.
 */

/** Alert data as mrkdwn, at most `max` characters once escaped and defanged. */
const alertText = slackText;

/** A section of mrkdwn that is already safe, cut to Slack's limit. */
function section(text: string): KnownBlock {
  return { type: 'section', text: { type: 'mrkdwn', text: cutText(text, L.sectionText) } };
}

function context(text: string): KnownBlock {
  return { type: 'context', elements: [{ type: 'mrkdwn', text: cutText(text, L.sectionText) }] };
}

/** How many details a message shows: two sections of fields; the report has them all. */
const SHOWN_DETAILS = 2 * L.sectionFields;

/**
 * The employee as Vouch names them: the label with the resolved employee's mention, which Vouch
 * writes itself, kept as a mention; everything else in it (a name from a profile, an alert's
 * reference) is escaped.
 */
export function employeeMarkup(label: string, employeeSlackId?: string): string {
  const mention = employeeSlackId ? `<@${employeeSlackId}>` : undefined;
  // Escaped, not defanged: the label is mostly an email address, which must stay readable.
  const safe = (text: string) => cutText(escapeMrkdwn(visibleControls(text)), 250);
  if (!mention || !/^[UW][A-Z0-9]{2,}$/.test(employeeSlackId!) || !label.endsWith(mention))
    return safe(label);
  const name = label.slice(0, -mention.length).trimEnd();
  return name ? `${safe(name)} ${mention}` : mention;
}

/**
 * The alert's own link, as the target of a Slack link: normalised by the URL parser (which
 * percent-encodes `<` and `>`) and with `|` encoded too, so it cannot close the link early and add a
 * mention or a label of its own.
 */
function linkTarget(url: string): string {
  return new URL(url).href.replace(/\|/g, '%7C');
}

function visibleDetails(alert: AlertInput): [string, string][] {
  const hidden = new Set(alert.sensitiveKeys);
  return Object.entries(alert.details)
    .filter(([k]) => !hidden.has(k))
    .map(([k, v]) => [k, String(v)]);
}

/** The values a policy's message template may use; alert data, so `renderTemplate` makes them inert. */
function templateValues(alert: AlertInput, extra: { employee?: string; deadline?: string }) {
  return {
    title: alert.title,
    type: alert.type,
    severity: alert.severity,
    source: alert.source,
    occurredAt: alert.occurredAt,
    ...extra,
    ...Object.fromEntries(visibleDetails(alert).map(([k, v]) => [`detail.${k}`, v])),
  };
}

function alertSummaryBlocks(alert: AlertInput, linkHosts: readonly string[]): KnownBlock[] {
  const details = visibleDetails(alert);
  const blocks: KnownBlock[] = [section(`*${alertText(alert.title, 600)}*`)];
  if (alert.description) blocks.push(section(alertText(alert.description, L.sectionText)));
  blocks.push(
    context(
      `When: <!date^${Math.floor(Date.parse(alert.occurredAt) / 1000)}^{date_short_pretty} {time}|${escapeMrkdwn(alert.occurredAt)}>  ·  Source: ${alertText(alert.source, 600)}  ·  Severity: ${alert.severity}`,
    ),
  );
  for (let i = 0; i < Math.min(details.length, SHOWN_DETAILS); i += L.sectionFields)
    blocks.push({
      type: 'section',
      fields: details.slice(i, i + L.sectionFields).map(([k, v]) => ({
        type: 'mrkdwn' as const,
        text: `*${keyText(k, 400)}*\n${alertText(v, 900)}`,
      })),
    });
  if (details.length > SHOWN_DETAILS)
    blocks.push(context(`${details.length - SHOWN_DETAILS} more details in the report.`));
  if (alert.url) blocks.push(section(alertLink(alert.url, linkHosts)));
  return blocks;
}

/**
 * The alert's link back to its source: live only for https URLs on hosts the security team listed
 * (VOUCH_LINK_HOSTS); any other is shown defanged, so an alert cannot hand the employee a link to a
 * look-alike sign-in page.
 */
export function alertLink(url: string, linkHosts: readonly string[]): string {
  const parsed = new URL(url);
  return parsed.protocol === 'https:' && linkHosts.includes(parsed.hostname.toLowerCase())
    ? `<${linkTarget(url)}|View the alert>`
    : `Alert link (not a host Vouch links to): ${alertText(url, 600)}`;
}

const DEFAULT_INTRO =
  ':wave: Hi! Our security monitoring saw the activity below on your account. Was it you?';

export function interviewMessage(
  alert: AlertInput,
  workflowId: string,
  custom: { intro?: string; employeeName?: string; linkHosts?: readonly string[] } = {},
) {
  const intro = custom.intro
    ? renderTemplate(custom.intro, templateValues(alert, { employee: custom.employeeName }))
    : DEFAULT_INTRO;
  return {
    text: `Security check: did you do this? ${alertText(alert.title, 600)}`,
    blocks: [
      section(intro),
      ...alertSummaryBlocks(alert, custom.linkHosts ?? []),
      {
        type: 'actions',
        block_id: 'vouch_answer',
        elements: [
          {
            type: 'button',
            action_id: ACTION_IDS.confirm,
            text: { type: 'plain_text', text: 'Yes, that was me' },
            style: 'primary',
            value: workflowId,
          },
          {
            type: 'button',
            action_id: ACTION_IDS.deny,
            text: { type: 'plain_text', text: "No, it wasn't me" },
            style: 'danger',
            value: workflowId,
            confirm: confirmDialog(
              'Report this as not you?',
              'The security team will be alerted right away.',
              "It wasn't me",
            ),
          },
        ],
      },
    ] as KnownBlock[],
  };
}

export function reminderMessage(alert: AlertInput, n: number, deadline: string, template?: string) {
  if (template)
    return { text: cutText(renderTemplate(template, templateValues(alert, { deadline })), L.messageText) };
  return {
    text: `Reminder${n > 1 ? ` (${n})` : ''}: please answer the security check about "${alertText(alert.title, 600)}" above, before <!date^${Math.floor(Date.parse(deadline) / 1000)}^{time} {date_short_pretty}|${deadline}>.`,
  };
}

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
};

export function outcomeForEmployee(alert: AlertInput, outcome: Outcome, linkHosts: readonly string[] = []) {
  return {
    text: `${alertText(alert.title, 600)}: ${OUTCOME_TEXT[outcome]}`,
    blocks: [...alertSummaryBlocks(alert, linkHosts), section(OUTCOME_TEXT[outcome])],
  };
}

export function approvalRequest(
  alert: AlertInput,
  employeeLabel: string,
  workflowId: string,
  uiLink: string,
  proposedQuestions: { text: string; machineWritten: boolean }[] = [],
  approvers: string[] = [],
  employeeSlackId?: string,
  linkHosts: readonly string[] = [],
) {
  const employee = employeeMarkup(employeeLabel, employeeSlackId);
  // Approvers come from the policy (validated Slack ids), so they may be mentioned.
  const ask = approvers.map((id) => (id.startsWith('S') ? `<!subteam^${id}>` : `<@${id}>`)).join(' ');
  return {
    text: `Approval needed: interview ${employee} about "${alertText(alert.title, 600)}"?`,
    blocks: [
      section(`:mag: *Approval needed*${ask ? ` (${ask})` : ''}: ask ${employee} about this alert?`),
      ...alertSummaryBlocks(alert, linkHosts),
      ...proposedQuestionBlocks(proposedQuestions),
      {
        type: 'actions',
        block_id: 'vouch_approval',
        elements: [
          {
            type: 'button',
            action_id: ACTION_IDS.approve,
            text: { type: 'plain_text', text: 'Approve interview' },
            style: 'primary',
            value: workflowId,
          },
          {
            type: 'button',
            action_id: ACTION_IDS.skip,
            text: { type: 'plain_text', text: 'Skip' },
            value: workflowId,
          },
        ],
      },
      context(`<${uiLink}|Open in Temporal>`),
    ] as KnownBlock[],
  };
}

/** The AI interviewer's questions as the approver sees them, before anyone is asked (issue #7). */
function proposedQuestionBlocks(questions: { text: string; machineWritten: boolean }[]): KnownBlock[] {
  if (questions.length === 0) return [];
  const machine = questions.some((q) => q.machineWritten);
  return [
    section(
      `*Follow-up questions${machine ? ' (machine-written, checked)' : ''}*, asked in the DM thread after the ` +
        `outcome; approving approves them as they are:\n` +
        questions
          .map((q, i) => `${i + 1}. ${alertText(q.text, 400)}${q.machineWritten ? '' : ' _(scripted)_'}`)
          .join('\n'),
    ),
  ];
}

export function followUpQuestionMessage(question: string, machineWritten: boolean) {
  return {
    text: alertText(question, L.messageText),
    blocks: [
      {
        type: 'section',
        text: { type: 'plain_text', text: plainText(question, L.sectionText), emoji: false },
      },
      context(
        `${machineWritten ? ':robot_face: Machine-written question (an AI assistant of the security team). ' : ''}Optional: reply in this thread to help the security team. Never share passwords or codes.`,
      ),
    ] as KnownBlock[],
  };
}

export function followUpThanksMessage() {
  return { text: 'Thanks, your answers went to the security team. Nothing else to do.' };
}

/** The analyst summary, or why there is none; always labelled as machine-written. */
export type ReportSummary = { text: string; model?: string } | { missing: string };

export interface ReportInput {
  alert: AlertInput;
  outcome: Outcome;
  employeeLabel: string;
  transcript: TranscriptEntry[];
  uiLink: string;
  summary?: ReportSummary;
  /** The investigation report's key facts: second-factor result, time to first answer and to outcome. */
  facts?: InvestigationReport;
  /** The escalation waits for an operator to close it (PagerDuty or webhook targets): a Close button for it. */
  closeButtonFor?: string;
  /** Who closed the escalation (the post loses its button and says so). */
  closedBy?: string;
  /** The resolved employee, whose mention in `employeeLabel` stays a mention. */
  employeeSlackId?: string;
  /** Hosts whose https URLs the alert's link may point to (VOUCH_LINK_HOSTS). */
  linkHosts?: readonly string[];
}

function summaryBlocks(summary: ReportSummary | undefined): KnownBlock[] {
  if (!summary) return [];
  const text =
    'missing' in summary
      ? `*Machine-written summary*: none (${alertText(summary.missing, 500)}).`
      : `*Machine-written summary* :robot_face: _written by a language model${summary.model ? ` (${alertText(summary.model, 100)})` : ''} from the conversation below; not a decision, check it against the timeline_\n${alertText(summary.text, 2600)}`;
  return [section(text)];
}

function factsBlocks(facts: InvestigationReport | undefined): KnownBlock[] {
  if (!facts) return [];
  const text = `Second factor: ${facts.secondFactor.result.replace(/_/g, ' ')}  ·  First answer after: ${formatDuration(facts.timeToFirstAnswerMs)}  ·  Outcome after: ${formatDuration(facts.timeToOutcomeMs)}`;
  return [context(text)];
}

/** The Close button while the escalation waits for an operator, then who closed it. */
function closeBlocks(closeButtonFor: string | undefined, closedBy: string | undefined): KnownBlock[] {
  if (closedBy) return [context(`:white_check_mark: Closed by ${operatorLabel(closedBy)}`)];
  return closeButtonFor ? [closeEscalationButton(closeButtonFor)] : [];
}

export function escalationReport({
  alert,
  outcome,
  employeeLabel,
  transcript,
  uiLink,
  summary,
  facts,
  closeButtonFor,
  closedBy,
  employeeSlackId,
  linkHosts = [],
}: ReportInput) {
  const employee = employeeMarkup(employeeLabel, employeeSlackId);
  const timeline = transcript
    .slice(-25)
    .map(
      (t) =>
        `\`${t.at.slice(11, 19)}\` ${operatorLabel(t.actor)}${t.machineWritten ? ' (machine-written)' : ''}: ${timelineText(t, employeeSlackId)}`,
    )
    .join('\n');
  return {
    text: `:rotating_light: Escalated (${outcome}): ${alertText(alert.title, 600)} (${employee})`,
    blocks: [
      section(`:rotating_light: *Escalated: ${outcome.replace(/_/g, ' ')}*\nEmployee: ${employee}`),
      ...alertSummaryBlocks(alert, linkHosts),
      ...factsBlocks(facts),
      ...summaryBlocks(summary),
      section(`*Timeline*\n${timeline || '(empty)'}`),
      ...closeBlocks(closeButtonFor, closedBy),
      context(`<${uiLink}|Open the interview in Temporal>`),
    ] as KnownBlock[],
  };
}

/** The "are you sure?" dialog of a button. */
function confirmDialog(title: string, text: string, confirm: string) {
  return {
    title: { type: 'plain_text' as const, text: title },
    text: { type: 'plain_text' as const, text },
    confirm: { type: 'plain_text' as const, text: confirm },
    deny: { type: 'plain_text' as const, text: 'Go back' },
  };
}

/** A Slack operator as a mention; anyone else (a CLI user, a Web UI name) as escaped text. */
function operatorLabel(operator: string): string {
  // The workflow records a Slack actor as its id, or as the mention it writes itself (`<@U…>`).
  const id = /^<@([UW][A-Z0-9]{2,})>$|^([UW][A-Z0-9]{2,})$/.exec(operator);
  return id ? `<@${id[1] ?? id[2]}>` : alertText(operator, 100);
}

/**
 * A timeline entry's text, escaped; in Vouch's own note of who is asked, the resolved employee's
 * mention (which Vouch wrote) stays a mention.
 */
function timelineText(t: TranscriptEntry, employeeSlackId: string | undefined): string {
  const text = alertText(renderEvent(t), 200);
  if (t.actor !== 'vouch' || t.kind !== 'policy' || !employeeSlackId) return text;
  return text.replace(`&lt;@${employeeSlackId}&gt;`, `<@${employeeSlackId}>`);
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

/** The approval request once decided: no buttons left, and who decided (or that nobody did in time). */
export function approvalDecided(
  alert: AlertInput,
  employeeLabel: string,
  uiLink: string,
  decision: { action: 'approve' | 'skip' | 'escalate' | 'close' | 'cancel' | 'timeout'; by?: string },
  employeeSlackId?: string,
) {
  const what =
    decision.action === 'timeout'
      ? ':hourglass: No operator decided in time; the policy decided'
      : `${APPROVAL_DECISION_TEXT[decision.action]} by ${operatorLabel(decision.by ?? '?')}`;
  const text = `${what}: ${employeeMarkup(employeeLabel, employeeSlackId)} about "${alertText(alert.title, 600)}"`;
  return { text, blocks: [section(text), context(`<${uiLink}|Open in Temporal>`)] };
}

const APPROVAL_DECISION_TEXT = {
  approve: ':white_check_mark: Interview approved',
  skip: ':fast_forward: Interview skipped',
  escalate: ':rotating_light: Escalated',
  close: ':heavy_multiplication_x: Closed',
  cancel: ':heavy_multiplication_x: Cancelled',
};
