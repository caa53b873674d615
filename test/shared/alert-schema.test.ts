import { InvalidAlertError, parseAlert } from '../../shared/alert';

const valid = {
  id: 'gd-2026:11.21_001',
  type: 'aws.admin_added',
  title: 'New admin added to the AWS account',
  severity: 'high',
  occurredAt: '2026-11-21T10:15:00Z',
  source: 'cloudtrail',
  employee: { email: 'ana@example.com' },
  details: { account: '1234', mfa: false, count: 2 },
  sensitiveKeys: ['account'],
  url: 'https://console.example.com/alerts/1',
};

function problems(input: unknown): Record<string, string> {
  try {
    parseAlert(input);
  } catch (e) {
    expect(e).toBeInstanceOf(InvalidAlertError);
    return Object.fromEntries((e as InvalidAlertError).problems.map((p) => [p.field, p.problem]));
  }
  throw new Error('expected the alert to be rejected');
}

describe('alert schema', () => {
  it('accepts a valid alert and fills defaults', () => {
    const alert = parseAlert({
      ...valid,
      details: undefined,
      sensitiveKeys: undefined,
      description: undefined,
    });
    expect(alert.details).toEqual({});
    expect(alert.sensitiveKeys).toEqual([]);
    expect(alert.description).toBe('');
    expect(parseAlert(valid).details).toEqual(valid.details);
  });

  it('lists every bad field with what it expects', () => {
    const found = problems({
      ...valid,
      id: 'has spaces',
      severity: 'urgent',
      occurredAt: 'yesterday',
      employee: {},
      details: { nested: { a: 1 } },
      url: 'javascript:alert(1)',
      title: undefined,
      extra: 1,
    });
    expect(found.id).toMatch(/1–128 characters/);
    expect(found.severity).toMatch(/one of low, medium, high, critical/);
    expect(found.occurredAt).toMatch(/ISO 8601/);
    expect(found.employee).toMatch(/at least one of email, slackUserId or username/);
    expect(found['details.nested']).toBeDefined();
    expect(found.url).toMatch(/http\(s\) URL/);
    expect(found.title).toMatch(/required/);
    expect(found['(alert)']).toMatch(/unknown field.*extra/);
  });

  it('puts every problem in the error message', () => {
    expect(() => parseAlert({ ...valid, severity: 'x', employee: { email: 'not-an-email' } })).toThrow(
      /severity: .*\n.*employee\.email: must be an email/s,
    );
  });
});
