import { ConfigError, loadConfig } from '../../lib/config';
import { parseAlert } from '../../shared/alert';
import { event } from '../../shared/record/events';
import { alertLink } from '../../slack-blocks/alert-summary';
import { approvalRequest } from '../../slack-blocks/approval';
import { escalationReport } from '../../slack-blocks/escalation';
import { homeBlocks, statusText } from '../../slack-blocks/home';
import { interviewMessage } from '../../slack-blocks/interview';
import type { AlertDoc } from '../../store/collections';

/** Text from alerts and Slack profiles cannot be turned against whoever reads it in Slack. */
const alert = (url?: string, title = 'New admin added') =>
  parseAlert({
    id: 'a-1',
    type: 'admin.added',
    title,
    description: 'An administrator was added.',
    severity: 'high',
    occurredAt: '2026-11-21T10:00:00Z',
    source: 'idp',
    employee: { email: 'ana@example.com' },
    details: {},
    ...(url ? { url } : {}),
  });

const LISTED = ['console.example.com'];
const texts = (blocks: unknown) => JSON.stringify(blocks);

describe("the alert's link", () => {
  it.each([
    ['https://console.example.com/alerts/1', true],
    ['https://CONSOLE.example.com/alerts/1', true],
    ['http://console.example.com/alerts/1', false], // not https
    ['https://console.example.com.evil.io/login', false], // a look-alike host
    ['https://evil.example/sso', false], // not listed
    ['https://user@evil.example/console.example.com', false],
  ])('%s is a live link: %s', (url, live) => {
    const text = alertLink(url, LISTED);
    if (live) expect(text).toMatch(/^<https:\/\/console\.example\.com\/alerts\/1\|View the alert>$/);
    else {
      expect(text).not.toMatch(/[<>]/);
      expect(text).not.toContain('://');
      expect(text).toContain('[:]//');
    }
  });

  it('the DM shows a live link only for a listed host; with no VOUCH_LINK_HOSTS, none is live', () => {
    const listed = texts(
      interviewMessage(alert('https://console.example.com/a/1'), 'alert-a-1', { linkHosts: LISTED }),
    );
    expect(listed).toContain('<https://console.example.com/a/1|View the alert>');
    const unlisted = texts(interviewMessage(alert('https://console.example.com/a/1'), 'alert-a-1'));
    expect(unlisted).not.toContain('|View the alert>');
    expect(unlisted).toContain('https[:]//console[.]example[.]com/a/1');
  });
});

describe('names and titles quoted in Slack', () => {
  const hostile = 'Ana <!channel> see evil.example/reset';

  it("an employee's real name is escaped in approval requests and escalations", () => {
    const employee = { slackUserId: 'UANA00001', email: 'ana@example.com', name: hostile };
    for (const message of [
      approvalRequest(alert(), employee, 'alert-a-1', 'http://ui'),
      escalationReport({
        alert: alert(),
        outcome: 'denied',
        transcript: [event('policy', 'vouch', '2026-11-21T10:00:01Z', { policySource: 'default', employee })],
        uiLink: 'http://ui',
      }),
    ]) {
      const text = texts(message);
      expect(text).not.toContain('<!channel>');
      expect(text).toContain('&lt;!channel&gt;');
      expect(text).toContain('Ana &lt;!channel&gt; see evil.example/reset <@UANA00001>');
    }
  });

  it('App Home and /vouch status defang titles like the DM does', () => {
    const doc = {
      _id: 'a-1',
      input: alert(undefined, 'Log in at evil.example/sso <!here> now'),
      phase: 'awaiting_response',
      outcome: null,
      createdAt: new Date('2026-11-21T10:00:00Z'),
    } as unknown as AlertDoc;
    for (const text of [statusText([doc], []), texts(homeBlocks([doc], [], true))]) {
      expect(text).not.toContain('evil.example');
      expect(text).toContain('evil[.]example/sso');
      expect(text).not.toContain('<!here>');
    }
  });
});

describe('VOUCH_PUBLIC_URL', () => {
  it('must be https, except for localhost', () => {
    let error: unknown;
    try {
      loadConfig({ VOUCH_PUBLIC_URL: 'http://vouch.example.com' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(/VOUCH_PUBLIC_URL: expected an https URL/);
    expect(loadConfig({ VOUCH_PUBLIC_URL: 'https://vouch.example.com' }).publicUrl).toBe(
      'https://vouch.example.com',
    );
    expect(loadConfig({ VOUCH_PUBLIC_URL: 'http://localhost:3000' }).publicUrl).toBe('http://localhost:3000');
    expect(loadConfig({ VOUCH_PUBLIC_URL: 'http://127.0.0.1:3000' }).publicUrl).toBe('http://127.0.0.1:3000');
  });

  it('VOUCH_LINK_HOSTS and VOUCH_OUTBOUND_ALLOW_HOSTS are lists of hosts', () => {
    const c = loadConfig({
      VOUCH_LINK_HOSTS: 'Console.example.com, siem.example.com',
      VOUCH_OUTBOUND_ALLOW_HOSTS: 'soar.internal',
    });
    expect(c.linkHosts).toEqual(['console.example.com', 'siem.example.com']);
    expect(c.outboundAllowHosts).toEqual(['soar.internal']);
    expect(() => loadConfig({ VOUCH_LINK_HOSTS: 'https://console.example.com' })).toThrow(
      /VOUCH_LINK_HOSTS: expected comma-separated host names/,
    );
  });
});

describe('half an emoji', () => {
  it('a lone surrogate in an alert becomes �, so the message can be URL-encoded for Slack', () => {
    const message = interviewMessage(alert(undefined, 'login from 👩🏽‍💻 \ud83d and \udc69 end'), 'alert-a-1');
    for (const text of [message.text, texts(message.blocks)]) {
      expect(() => encodeURIComponent(text)).not.toThrow();
      expect(text).toContain('\ufffd and \ufffd end');
    }
    // Whole emoji are kept.
    expect(message.text).toContain('👩🏽‍💻');
  });
});
