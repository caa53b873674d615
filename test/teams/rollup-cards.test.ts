import { LISTED_ALERTS } from '../../shared/rollup';
import { rolledUpInterviewCard } from '../../teams/rollup-cards';
import { ACCESS_KEY_FACTS } from '../helpers/alert-facts';

const leader = ACCESS_KEY_FACTS;
const alerts = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ title: `Alert ${i + 1}`, occurredAt: `2026-12-04T09:${i}Z` }));

/** The storm's card in Teams: the group under the question, the leading alert's facts, the same buttons. */
describe('rolledUpInterviewCard', () => {
  const text = (card: unknown) => JSON.stringify(card);

  it('lists the alerts it covers under the question and keeps Yes/No for the leading interview', () => {
    const card = rolledUpInterviewCard(leader, alerts(3), 3, 'alert-lead', 'Fri 4 Dec, 10:00 UTC', 'Tess');
    const body = text(card.body);
    expect(body).toContain('This question covers 3 alerts; your answer decides all of them:');
    for (const a of alerts(3)) expect(body).toContain(`• ${a.title} (${a.occurredAt})`);
    expect(body).not.toContain('more');
    // The group comes after the greeting and before the leading alert's facts.
    expect(body.indexOf('Hi Tess')).toBeLessThan(body.indexOf('covers 3 alerts'));
    expect(body.indexOf('Alert 3')).toBeLessThan(body.indexOf('An IAM access key was created.'));
    expect(text(card.actions)).toContain('"vouch":"confirm","workflowId":"alert-lead"');
    expect(text(card.actions)).toContain('"vouch":"deny","workflowId":"alert-lead"');
  });

  it('counts the alerts past the listed ones', () => {
    const card = rolledUpInterviewCard(leader, alerts(LISTED_ALERTS), 40, 'alert-lead', 'soon');
    const body = text(card.body);
    expect(body).toContain('covers 40 alerts');
    expect(body).toContain(`• and ${40 - LISTED_ALERTS} more`);
    expect(body.match(/• Alert /g)).toHaveLength(LISTED_ALERTS);
  });

  it('shows an alert title as plain text, never as markdown', () => {
    const card = rolledUpInterviewCard(
      leader,
      [{ title: '[click](https://evil.example)', occurredAt: 'now' }],
      2,
      'w',
      'soon',
    );
    const run = text(card.body);
    // A TextRun: Teams renders it literally.
    expect(run).toContain('"type":"TextRun","text":"• [click](https://evil.example) (now)"');
  });
});
