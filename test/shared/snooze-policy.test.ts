import { DEFAULT_POLICY, policySchema } from '../../shared/policy';
import { snoozeChoices, snoozeLabel } from '../../shared/snooze';

/** Policy `snooze`: off by default, longer than the suppression window, at most 90 days. */
describe('snooze policy', () => {
  const problems = (settings: unknown) =>
    policySchema.safeParse(settings).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`);

  it('is off by default', () => {
    expect(DEFAULT_POLICY.snooze).toEqual({ max: '0s', approval: false });
    expect(snoozeChoices(DEFAULT_POLICY.snooze.max, DEFAULT_POLICY.suppression.window)).toEqual([]);
  });

  it('names the field when max is not a duration, too long, or no longer than the window', () => {
    expect(problems({ snooze: { max: 'a week' } })).toEqual([
      'snooze.max: expected a duration such as "15m", "4h" or "7d"',
    ]);
    expect(problems({ snooze: { max: '120d' } })?.[0]).toMatch(/^snooze\.max: expected at most "90d"/);
    expect(problems({ snooze: { max: '3d' } })?.[0]).toMatch(
      /^snooze\.max: must be longer than suppression\.window \(7d\)/,
    );
    expect(problems({ snooze: { max: '14d', approve: true } })?.[0]).toMatch(/^snooze: /);
    expect(problems({ snooze: { max: '14d', approval: true } })).toBeUndefined();
    expect(problems({ snooze: { max: '3d' }, suppression: { window: '0s' } })).toBeUndefined();
  });

  it('offers the usual lengths above the window, up to max', () => {
    expect(snoozeChoices('7d', '0s')).toEqual(['1d', '3d', '7d']);
    expect(snoozeChoices('10d', '1d')).toEqual(['3d', '7d', '10d']);
    expect(snoozeChoices('36h', '0s')).toEqual(['1d', '36h']);
    expect(snoozeChoices('1d', '7d')).toEqual([]);
    expect(['1d', '3d', '7d', '14d', '36h'].map((d) => snoozeLabel(d))).toEqual([
      '1 day',
      '3 days',
      '1 week',
      '2 weeks',
      '36h',
    ]);
    expect(['1d', '3d', '7d', '14d'].map((d) => snoozeLabel(d, 'de'))).toEqual([
      '1 Tag',
      '3 Tage',
      '1 Woche',
      '2 Wochen',
    ]);
  });
});
