import { policyProblems } from '../../shared/policy-file';
import { DEFAULT_POLICY, policySchema } from '../../shared/policy';

/** The policy's `ladder`: off by default, a list of steps or { steps, onManagerConfirms }, errors naming the field. */
describe('policy ladder', () => {
  it('is off by default; a bare list is its steps; onManagerConfirms defaults to escalate', () => {
    expect(DEFAULT_POLICY.ladder).toEqual({ steps: [], onManagerConfirms: 'escalate' });
    const steps = [{ ask: 'manager', wait: '30m' }, { escalate: 'security' }];
    expect(policySchema.parse({ ladder: steps }).ladder).toEqual({ steps, onManagerConfirms: 'escalate' });
    expect(policySchema.parse({ ladder: { steps, onManagerConfirms: 'close' } }).ladder).toEqual({
      steps,
      onManagerConfirms: 'close',
    });
  });

  it.each([
    [[{ ask: 'boss', wait: '30m' }], 'aws.login.ladder.steps.0.ask', /one of "manager"/],
    [[{ ask: 'manager' }], 'aws.login.ladder.steps.0.wait', /how long to wait for the manager/],
    [[{ escalate: 'security', wait: '1m' }], 'aws.login.ladder.steps.0.wait', /no wait: remove it/],
    [[{ ask: 'manager', wait: '30m', escalate: 'security' }], 'aws.login.ladder.steps.0', /either/],
    [[{ ask: 'manager', wait: 'soon' }], 'aws.login.ladder.steps.0.wait', /duration/],
    [{ steps: [], onManagerConfirms: 'verify' }, 'aws.login.ladder.onManagerConfirms', /escalate|close/],
    [[{ escalate: 'pagerduty' }], 'aws.login.ladder.steps.0.escalate', /one of "security"/],
  ])('%j is refused, naming %s', (ladder, field, message) => {
    const problems = policyProblems({ ladder }, 'aws.login');
    expect(problems.length).toBeGreaterThanOrEqual(1);
    expect(problems[0]!.field).toBe(field);
    expect(problems[0]!.problem).toMatch(message);
  });
});
