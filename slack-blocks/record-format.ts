import type { AlertInput } from '../shared/alert';
import { SLACK_USER_ID } from '../shared/directory-entry';
import { eventsOfKind, type InterviewEvent } from '../shared/record/events';
import { type RecordFormat, renderEventWith } from '../shared/record/render';
import { cutText, escapeMrkdwn, slackText, visibleControls } from '../shared/slack-text';

/**
 * The record in Slack: people are mentioned from their id fields, which Vouch validated; everything
 * else an event holds is content, escaped and defanged, so no alert, answer or note can mention,
 * broadcast or link.
 */

const GROUP_ID = /^S[A-Z0-9]{2,}$/;

/** A Slack user (`<@U…>`) or user group (`<!subteam^S…>`) as a mention; anyone else as escaped text. */
export function slackPerson(id: string): string {
  if (SLACK_USER_ID.test(id)) return `<@${id}>`;
  if (GROUP_ID.test(id)) return `<!subteam^${id}>`;
  return slackText(id, 100);
}

/** Each content value cut to `contentMax` once escaped, so one long answer cannot crowd out the rest. */
export function slackRecordFormat(contentMax = 200): RecordFormat {
  return { person: slackPerson, content: (text) => slackText(text, contentMax) };
}

/**
 * An event as one line of mrkdwn. The renderer's own words are escaped too (`<alert id>` must not
 * become a link): mentions and content are held out as placeholders while the line is escaped and put
 * back after. A placeholder cannot be forged: content has its control characters replaced first.
 */
export function slackEventText(e: InterviewEvent, contentMax = 200): string {
  const held: string[] = [];
  const hold = (markup: string) => `\u0000${held.push(markup) - 1}\u0000`;
  const format = slackRecordFormat(contentMax);
  const line = renderEventWith(e, {
    person: (id) => hold(format.person(id)),
    content: (text) => hold(format.content(text)),
  });
  // eslint-disable-next-line no-control-regex
  return escapeMrkdwn(line).replace(/\u0000(\d+)\u0000/g, (_, i: string) => held[Number(i)] ?? '');
}

/** The employee as messages name them, from fields: the resolved Slack user, or the alert's reference. */
export interface EmployeeView {
  slackUserId?: string;
  /** The name from their Slack profile (outside text). */
  name?: string;
  /** How the alert names an employee Vouch could not resolve (email, Slack id or username). */
  reference?: string;
}

/**
 * The employee as the record knows them: the resolved employee of the policy event, else the Slack
 * user the alert document holds (records from before events were typed), else the alert's reference.
 */
export function employeeOf(doc: {
  input: Pick<AlertInput, 'employee'>;
  employeeSlackId?: string;
  transcript?: readonly InterviewEvent[];
}): EmployeeView {
  const resolved = eventsOfKind(doc.transcript ?? [], 'policy').at(-1)?.employee;
  if (resolved) return { slackUserId: resolved.slackUserId, name: resolved.name };
  if (doc.employeeSlackId) return { slackUserId: doc.employeeSlackId };
  const ref = doc.input.employee;
  return { reference: ref.email ?? ref.slackUserId ?? `user ${ref.username ?? '?'}` };
}

/** The employee as mrkdwn: their name escaped (not defanged: it is often an email address) and a mention. */
export function employeeMarkup(employee: EmployeeView): string {
  const safe = (text: string) => cutText(escapeMrkdwn(visibleControls(text)), 250);
  const mention =
    employee.slackUserId && SLACK_USER_ID.test(employee.slackUserId) ? slackPerson(employee.slackUserId) : '';
  const name = employee.name ?? (mention ? '' : (employee.reference ?? employee.slackUserId ?? '?'));
  return [name && safe(name), mention].filter(Boolean).join(' ');
}
