import { policyProblems } from '../../shared/policy-file';
import { DEFAULT_POLICY, policySchema } from '../../shared/policy';
import { groupKey } from '../../shared/rollup';

/** The policy's `rollup`: strict, validated with the field named, defaults for policies without it. */
describe('policy rollup', () => {
  it('defaults: on, by fingerprint, 3 open per employee, no window', () => {
    expect(DEFAULT_POLICY.rollup).toEqual({ enabled: true, by: 'fingerprint', maxOpenPerEmployee: 3 });
    expect(policySchema.parse({ rollup: { enabled: false } }).rollup).toEqual({
      enabled: false,
      by: 'fingerprint',
      maxOpenPerEmployee: 3,
    });
  });

  it.each([
    [{ by: 'team' }, 'aws.login.rollup.by', /fingerprint|type|employee/],
    [{ maxOpenPerEmployee: 0 }, 'aws.login.rollup.maxOpenPerEmployee', />=1/],
    [{ maxOpenPerEmployee: 2.5 }, 'aws.login.rollup.maxOpenPerEmployee', /whole number, not 2.5/],
    [{ window: '0s' }, 'aws.login.rollup.window', /above zero/],
    [{ window: 'soon' }, 'aws.login.rollup.window', /duration/],
    [{ groupBy: 'type' }, 'aws.login.rollup', /groupBy/],
  ])('%j is refused, naming %s', (rollup, field, message) => {
    const problems = policyProblems({ rollup }, 'aws.login');
    expect(problems).toHaveLength(1);
    expect(problems[0]!.field).toBe(field);
    expect(problems[0]!.problem).toMatch(message);
  });

  it('groups by what the policy says', () => {
    expect(groupKey('fingerprint', 't', 'details-abc')).toBe('fingerprint:details-abc');
    expect(groupKey('fingerprint', 't', 'details-abc')).not.toBe(groupKey('fingerprint', 't', 'details-abd'));
    expect(groupKey('type', 't', 'details-abc')).toBe(groupKey('type', 't', 'details-xyz'));
    expect(groupKey('type', 't', 'x')).not.toBe(groupKey('type', 'u', 'x'));
    expect(groupKey('employee', 't', 'x')).toBe(groupKey('employee', 'u', 'y'));
  });
});
