import type { Outcome } from '../shared/constants';
import { type AlertFacts } from './alert-facts';
import { escapeHtml, oneLine } from './html';

/**
 * The email channel's messages: the question with its one-time link, the reminders, and the outcome,
 * each as plain text and HTML with the same content. No images, no tracking, no third-party links:
 * the only link is the answer page on Vouch's own address.
 */
export interface Mail {
  subject: string;
  text: string;
  html: string;
}

const SUBJECT_PREFIX = 'Security check: did you do this?';

/** The thread's subject: the same for the question and every reply, so mail clients keep them together. */
export function interviewSubject(facts: Pick<AlertFacts, 'title'>): string {
  return `${SUBJECT_PREFIX} ${oneLine(facts.title, 150)}`;
}

export function askMail(facts: AlertFacts, link: string, answerBy: string, name?: string): Mail {
  const greeting = name ? `Hi ${oneLine(name, 100)},` : 'Hi,';
  const lead = 'Our security monitoring saw the activity below on your account. Was it you?';
  const how = `Open this link to answer (it works once for you, until ${formatTime(answerBy)}):`;
  const foot =
    'If you did not expect this message, do not forward it: open the link and answer "No, it wasn\'t me".';
  return {
    subject: interviewSubject(facts),
    text: [greeting, '', lead, '', ...factsText(facts), '', how, link, '', foot, ''].join('\n'),
    html: page([
      p(escapeHtml(greeting)),
      p(escapeHtml(lead)),
      factsHtml(facts),
      p(escapeHtml(how)),
      p(`<a href="${escapeHtml(link)}">${escapeHtml(link)}</a>`),
      p(escapeHtml(foot)),
    ]),
  };
}

export function reminderMail(facts: AlertFacts, link: string, n: number, answerBy: string): Mail {
  const lead = `Reminder ${n}: we still need your answer about "${oneLine(facts.title, 150)}" by ${formatTime(answerBy)}. Without it, the security team is alerted.`;
  return {
    subject: `Re: ${interviewSubject(facts)}`,
    text: [lead, '', 'Answer here:', link, ''].join('\n'),
    html: page([p(escapeHtml(lead)), p(`<a href="${escapeHtml(link)}">${escapeHtml(link)}</a>`)]),
  };
}

const OUTCOME_TEXT: Record<Outcome, string> = {
  confirmed_verified: 'Thanks, you confirmed this and verified it was you. Nothing else to do.',
  denied:
    'You reported that this was not you. The security team has been alerted and will contact you shortly. Please keep an eye on your account.',
  no_response: 'This check expired without an answer and went to the security team.',
  second_factor_failed: 'The second-factor check did not succeed, so this went to the security team.',
  not_enrolled: 'You have no second factor enrolled, so the security team will follow up.',
  unknown_employee: 'This check could not be matched to you and went to the security team.',
  suppressed: 'You recently confirmed the same activity; nothing to do.',
  skipped_by_operator: 'The security team closed this check; nothing to do.',
  closed_by_operator: 'The security team closed this check; nothing to do.',
  escalated_by_operator: 'The security team has taken over this check.',
  disabled_by_policy: 'Nothing to do: this kind of alert is not checked with you.',
  failed_closed: 'Vouch could not finish this check, so it went to the security team.',
  cancelled: 'This check was stopped, and the security team has been told.',
  manager_confirmed:
    'This check expired without your answer; your manager said they know about it, so it was closed.',
  coercion_reported:
    'Thank you for telling us. End the call or chat with whoever asked you, share no codes and approve no login prompts. The security team has been alerted as a priority and will contact you shortly.',
};

/** How the interview ended, in the same thread; the link no longer works from now on. */
export function outcomeMail(facts: AlertFacts, outcome: Outcome): Mail {
  const text = OUTCOME_TEXT[outcome];
  const closed = 'The link in this thread no longer works.';
  return {
    subject: `Re: ${interviewSubject(facts)}`,
    text: [text, '', closed, ''].join('\n'),
    html: page([p(escapeHtml(text)), p(escapeHtml(closed))]),
  };
}

function factsText(f: AlertFacts): string[] {
  return [
    oneLine(f.title, 200),
    ...(f.description ? [f.description.slice(0, 1000)] : []),
    `When: ${formatTime(f.occurredAt)} · Source: ${oneLine(f.source)} · Severity: ${f.severity}`,
    ...f.details.map(([k, v]) => `${oneLine(k, 100)}: ${oneLine(v, 300)}`),
  ];
}

function factsHtml(f: AlertFacts): string {
  const rows = f.details
    .map(([k, v]) => `<tr><th scope="row" align="left">${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`)
    .join('');
  return [
    `<p><strong>${escapeHtml(oneLine(f.title, 200))}</strong></p>`,
    f.description ? p(escapeHtml(f.description.slice(0, 1000))) : '',
    p(
      `When: ${escapeHtml(formatTime(f.occurredAt))} · Source: ${escapeHtml(oneLine(f.source))} · Severity: ${escapeHtml(f.severity)}`,
    ),
    rows ? `<table>${rows}</table>` : '',
  ].join('');
}

const p = (html: string) => `<p>${html}</p>`;
const page = (parts: string[]) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"></head><body>${parts.join('')}</body></html>`;

/** Times in UTC, spelled out: the reader's mail client may not be in their time zone. */
export function formatTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
