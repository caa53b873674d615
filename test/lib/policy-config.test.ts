import { ConfigError, loadConfig } from '../../lib/config';

/** The operators' tools' configuration: escalation targets and the policies file. */
describe('config for escalation targets and policies', () => {
  it('has defaults, and parses named webhook secrets', () => {
    const d = loadConfig({}, '/srv/vouch');
    expect(d.policiesFile).toBe('/srv/vouch/policies.yml');
    expect(d.sourcesFile).toBe('/srv/vouch/sources.yml');
    expect(d.sourceSecrets).toEqual({});
    expect(loadConfig({ VOUCH_SOURCES_FILE: 'conf/sources.yml' }, '/srv/vouch').sourcesFile).toBe(
      '/srv/vouch/conf/sources.yml',
    );
    expect(d.escalation).toEqual({ pagerDutyUrl: 'https://events.pagerduty.com', webhookSecrets: {} });
    const c = loadConfig({
      VOUCH_PAGERDUTY_URL: 'http://127.0.0.1:9999/',
      VOUCH_WEBHOOK_SECRETS: 'soar=0123456789abcdef0123, siem=a=b+c/0123456789abcdef',
      VOUCH_POLICIES_FILE: '/etc/vouch/policies.yml',
    });
    expect(c.escalation).toEqual({
      pagerDutyUrl: 'http://127.0.0.1:9999',
      webhookSecrets: { soar: '0123456789abcdef0123', siem: 'a=b+c/0123456789abcdef' },
    });
    expect(c.policiesFile).toBe('/etc/vouch/policies.yml');
  });

  it('refuses a short or unnamed webhook secret without echoing it', () => {
    let message = '';
    try {
      loadConfig({ VOUCH_WEBHOOK_SECRETS: 'soar=tooshort', VOUCH_PAGERDUTY_URL: 'events.pagerduty.com' });
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      message = (e as Error).message;
    }
    expect(message).toMatch(
      /VOUCH_WEBHOOK_SECRETS: expected comma-separated name=secret pairs, each secret at least 16/,
    );
    expect(message).toMatch(/VOUCH_PAGERDUTY_URL: expected the PagerDuty Events API base URL/);
    expect(message).not.toContain('tooshort');
  });
});
