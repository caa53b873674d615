import { parseAlert } from '../../shared/alert';
import { type InterviewEvent, event } from '../../shared/record/events';
import { renderEvent } from '../../shared/record/render';
import { escalationReport, timeline } from '../../slack-blocks/escalation';
import { employeeMarkup, employeeOf } from '../../slack-blocks/record-format';

/** The escalation's timeline: people from id fields are mentions, whatever anyone wrote is inert. */
const EMPLOYEE = 'UEVE00003';
const OPERATOR = 'UOPS0001';
const at = (s: number) => `2026-11-21T10:00:${String(s).padStart(2, '0')}Z`;
const HOSTILE = 'ping <@U123> and <!channel>, log in at <https://evil.example/sso|your console>';

const alert = parseAlert({
  id: 'a-1',
  type: 'admin.added',
  title: 'New admin added',
  severity: 'high',
  occurredAt: '2026-11-21T10:00:00Z',
  source: 'idp',
  employee: { email: 'eve@example.com' },
  details: {},
});

const record: InterviewEvent[] = [
  event('policy', 'vouch', at(1), {
    policySource: 'default',
    employee: { slackUserId: EMPLOYEE, email: 'eve@example.com', name: 'Eve <!here>' },
  }),
  event('employee_answer', EMPLOYEE, at(2), { answer: 'confirmed', justification: HOSTILE }),
  event('operator_action', 'cli:ana <@U999>', at(3), { action: 'escalate', note: HOSTILE }),
  event('follow_up_answer', EMPLOYEE, at(4), { answer: HOSTILE }),
  event('stale_operator_action', 'vouch', at(5), {
    operator: OPERATOR,
    action: 'close',
    reason: 'already_decided',
    decision: 'approve',
    decidedBy: OPERATOR,
  }),
  event('awaiting_close', 'vouch', at(6), {}),
  // Content cannot forge the placeholders that hold mentions while a line is escaped.
  event('follow_up_answer', EMPLOYEE, at(7), { answer: '\u00000\u0000 <@U456>' }),
];

/** Every `<…>` Slack would act on: mentions, broadcasts, user groups, links. */
const live = (text: string) => text.match(/<[^<>]*>/g) ?? [];

describe('the escalation timeline', () => {
  const text = timeline(record);

  it('mentions the actor, employee and operator from their id fields', () => {
    expect(live(text).sort()).toEqual(
      [EMPLOYEE, EMPLOYEE, EMPLOYEE, EMPLOYEE, OPERATOR, OPERATOR].map((id) => `<@${id}>`).sort(),
    );
  });

  it('shows mentions, broadcasts and links in content escaped and defanged', () => {
    expect(text).not.toContain('<@U123>');
    expect(text).not.toContain('<!channel>');
    expect(text).not.toContain('https://');
    expect(text).toContain('&lt;@U123&gt; and &lt;!channel&gt;');
    expect(text).toContain('https[:]//evil[.]example/sso');
    // An operator signed as text is shown as text, even when it looks like a mention.
    expect(text).toContain('cli:ana &lt;@U999&gt;: escalate: ping');
    // Vouch's own words are escaped too.
    expect(text).toContain('(vouch close &lt;alert id&gt;)');
    expect(text).toContain('\ufffd0\ufffd &lt;@U456&gt;');
  });

  it('the whole post has no live markup besides the mentions Vouch writes', () => {
    const post = escalationReport({ alert, outcome: 'denied', transcript: record, uiLink: 'http://ui' });
    const all = JSON.stringify(post);
    expect(all).toContain(`Employee: Eve &lt;!here&gt; <@${EMPLOYEE}>`);
    for (const markup of live(
      JSON.parse(all)
        .blocks.map((b: unknown) => JSON.stringify(b))
        .join('\n'),
    ))
      expect(markup).toMatch(/^<(@U[A-Z0-9]+|!date\^[^>]+|http:\/\/ui\|[^>]+)>$/);
  });

  it('keeps whole lines when it must shorten, so no mention is cut in half', () => {
    const many = Array.from({ length: 25 }, (_, i) =>
      event('follow_up_answer', EMPLOYEE, at(i), { answer: 'x'.repeat(190) }),
    );
    const lines = timeline(many).split('\n');
    expect(lines.length).toBeLessThan(25);
    for (const line of lines) expect(line).toMatch(new RegExp(`^\`10:00:\\d\\d\` <@${EMPLOYEE}>: x+$`));
  });

  it('plain rendering (CLI, reports) is unchanged: content as written, Slack ids as <@…>', () => {
    expect(renderEvent(record[1]!)).toBe(`Yes, that was me: "${HOSTILE}"`);
    expect(renderEvent(record[0]!)).toBe(`policy default; employee <@${EMPLOYEE}>`);
  });
});

describe('the employee in messages', () => {
  it('is named from the record, or from the alert when Vouch could not resolve them', () => {
    expect(employeeMarkup(employeeOf({ input: alert, transcript: record }))).toBe(
      `Eve &lt;!here&gt; <@${EMPLOYEE}>`,
    );
    expect(employeeMarkup(employeeOf({ input: alert, employeeSlackId: EMPLOYEE }))).toBe(`<@${EMPLOYEE}>`);
    expect(employeeMarkup(employeeOf({ input: alert, transcript: [] }))).toBe('eve@example.com');
    const unresolved = { ...alert, employee: { slackUserId: 'UNOBODY01' } };
    expect(employeeMarkup(employeeOf({ input: unresolved }))).toBe('UNOBODY01');
  });
});
