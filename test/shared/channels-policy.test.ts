import { policyProblems } from '../../shared/policy-file';
import { DEFAULT_POLICY, policyChannels, policySchema } from '../../shared/policy';

/** The policy's `channels`: Slack when left out, names checked, each once. */
describe('policy channels', () => {
  it('asks in Slack when the policy names no channels, and keeps the order given', () => {
    expect(DEFAULT_POLICY.channels).toBeUndefined();
    expect(policyChannels(DEFAULT_POLICY)).toEqual(['slack']);
    expect(policyChannels(policySchema.parse({ channels: ['email', 'slack'] }))).toEqual(['email', 'slack']);
    expect(policyChannels(policySchema.parse({ channels: ['teams'] }))).toEqual(['teams']);
    expect(policyChannels(policySchema.parse({ channels: ['slack', 'teams', 'email'] }))).toEqual([
      'slack',
      'teams',
      'email',
    ]);
  });

  it.each([
    [{ channels: ['sms'] }, 'expected one of "slack", "email", "teams"'],
    [{ channels: [] }, 'list at least one channel'],
    [{ channels: ['email', 'email'] }, 'each channel is listed once'],
  ])('refuses %j naming the field', (policy, message) => {
    const problems = policyProblems(policy, 'aws.admin_added');
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.map((p) => p.field)).toEqual(
      problems.map(() => expect.stringMatching(/^aws\.admin_added\.channels/)),
    );
    expect(problems.map((p) => p.problem).join('\n')).toContain(message);
  });
});
