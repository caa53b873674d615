import { type InvestigationReport, eventsByActor, formatDuration } from './investigation';
import { type Renderer, rendererFor } from '../shared/record/render';
import { defangLinks, defangSchemes } from '../shared/slack-text';

/**
 * The report as Markdown, for a terminal, a ticket or a wiki. Every event's text is rendered here
 * from its fields (`render` says how people are written: Slack ids by default, the CLI names them).
 * Alert data and transcript text are escaped, so an alert cannot add links, images, HTML or table
 * cells of its own.
 */
export function reportMarkdown(r: InvestigationReport, render: Renderer = rendererFor({})): string {
  const a = r.alert;
  const lines = [
    `# ${md(a.title)}`,
    '',
    `**Outcome:** ${r.outcome ? `${r.outcome}${r.escalated ? ' (escalated)' : ''}` : `none yet (${r.phase})`}  `,
    `**Alert:** ${md(a.id)} · ${md(a.type)} · ${a.severity} · from ${md(a.source)} · occurred ${a.occurredAt}  `,
    // The employee's email is validated by the alert schema: kept usable, not defanged.
    `**Employee:** ${md(describeEmployee(r), { keepAddresses: true })}  `,
    `**Policy:** ${md(r.policy ?? 'not loaded')}  `,
    ...(r.recordHead
      ? [`**Record:** ${r.recordHead.count} events, head hash \`${r.recordHead.hash}\`  `]
      : []),
    `**Time to first answer:** ${formatDuration(r.timeToFirstAnswerMs)} · **to outcome:** ${formatDuration(r.timeToOutcomeMs)}  `,
    `**Second factor:** ${r.secondFactor.result.replace(/_/g, ' ')}${r.secondFactor.attempts.length ? ` (${r.secondFactor.attempts.map((t) => md(render.event(t))).join('; ')})` : ''}  `,
    ...(r.answer ? [`**Answer:** ${md(render.event(r.answer))} (${r.answer.at})  `] : []),
    ...(r.escalationPost ? [`**Escalation post:** ${md(render.event(r.escalationPost))}  `] : []),
    ...(r.decidedBy ? [`**Decided by:** ${md(render.event(r.decidedBy))}  `] : []),
    ...r.deliveries.map((d) => `**Delivery (${d.target}, ${d.event}):** ${md(render.event(d))}  `),
    ...(r.closedBy ? [`**Closed by:** ${md(render.actor(r.closedBy))}  `] : []),
    `**Interview:** ${md(r.workflowId)}${r.link ? ` · ${r.link}` : ''}`,
  ];
  if (a.description) lines.push('', md(a.description));
  if (r.summary)
    lines.push(
      '',
      `## Summary (machine-written${r.summary.model ? ` by ${md(r.summary.model)}` : ''}, ${r.summary.at})`,
      '',
      `> ${md(r.summary.text)}`,
    );
  const details = Object.entries(a.details);
  if (details.length > 0 || a.hiddenDetails.length > 0) {
    lines.push('', '## Details', '', '| Key | Value |', '| --- | --- |');
    for (const [k, v] of details) lines.push(`| ${keyCell(k)} | ${cell(String(v))} |`);
    for (const k of a.hiddenDetails) lines.push(`| ${keyCell(k)} | _(sensitive, withheld)_ |`);
  }
  if (a.url) lines.push('', `Source: <${new URL(a.url).href}>`); // the parser percent-encodes < > and spaces
  lines.push('', '## Timeline', '', '| Time (UTC) | Since alert | What |', '| --- | --- | --- |');
  for (const t of r.timeline)
    lines.push(`| ${t.at} | +${formatDuration(t.sinceStartMs)} | ${cell(`${t.kind}: ${render.event(t)}`)} |`);
  lines.push('', '## Who acted', '');
  const actors = eventsByActor(r.transcript);
  if (actors.size === 0) lines.push('Nobody but Vouch.');
  for (const [actor, events] of actors)
    lines.push(
      `- ${md(render.actor(actor))}: ${events.map((e) => md(`${e.kind}: ${render.event(e)}`)).join('; ')}`,
    );
  lines.push('', '## Transcript', '', '| Time (UTC) | Actor | Kind | Text |', '| --- | --- | --- | --- |');
  for (const t of r.transcript)
    lines.push(
      `| ${t.at} | ${cell(render.actor(t.actor))} | ${t.kind}${t.source === 'audit' ? ' (audit)' : ''}${t.machineWritten ? ' (machine-written)' : ''} | ${cell(render.event(t))} |`,
    );
  return `${lines.join('\n')}\n`;
}

function describeEmployee(r: InvestigationReport): string {
  const ref = r.alert.employee;
  const named = [ref.email, ref.username, ref.slackUserId].filter(Boolean).join(', ');
  return r.employeeSlackId && r.employeeSlackId !== ref.slackUserId
    ? `${named} (Slack ${r.employeeSlackId})`
    : named;
}

/**
 * Markdown text on one line, with every character that could start a link, HTML, code or emphasis
 * escaped, bare URLs and domains defanged (GitHub, Jira and Confluence would link them) and control
 * characters (terminal escape sequences in `vouch report` output) removed.
 */
export function md(text: string, opts: { keepAddresses?: boolean } = {}): string {
  const clean = text.replace(CONTROL_CHARS, '');
  return (opts.keepAddresses ? clean : defangLinks(clean))
    .replace(/[\\`*_[\]<>|~]/g, (c) => `\\${c}`)
    .replace(/^([#>+-])/, '\\$1')
    .replace(/\r?\n/g, ' ');
}

// C0 and C1 control characters except tab and newline (newlines become spaces below).
// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/g;

function cell(text: string): string {
  return md(text.length > 500 ? `${text.slice(0, 499)}…` : text);
}

/** A detail key as the producer wrote it (`aws.region` stays as it is); only a URL scheme is defanged. */
function keyCell(key: string): string {
  return md(defangSchemes(key), { keepAddresses: true });
}
