import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import canonicalize from 'canonicalize';
import fc from 'fast-check';
import {
  type SourceMappings,
  loadSourceMappings,
  mapSourceBody,
  parseSourceMappings,
  sourceNames,
} from '../../intake/source-mapping';
import { alertInputSchema } from '../../shared/alert';

const EXAMPLES = path.join(__dirname, '../../examples');
const payload = (vendor: string): unknown =>
  JSON.parse(fs.readFileSync(path.join(EXAMPLES, 'payloads', `${vendor}.json`), 'utf8'));
const RECEIVED = new Date('2025-11-21T10:21:33.250Z');

/** The errors of a mapping that must fail (the test fails if it succeeds). */
async function errorsOf(m: SourceMappings, name: string, body: unknown) {
  const result = await mapSourceBody(m, name, body, RECEIVED);
  if (result.ok) throw new Error(`expected errors, got the alert ${JSON.stringify(result.alert)}`);
  return result.errors;
}

/** The problems of a sources file that must be refused. */
function problemsOf(yamlText: string): string {
  try {
    parseSourceMappings(yamlText, 'sources.yml');
  } catch (err) {
    expect((err as Error).name).toBe('InvalidSourceMappingsError');
    return (err as Error).message;
  }
  throw new Error('expected the file to be refused');
}

const minimal = (fields: Record<string, string>) =>
  parseSourceMappings(
    `acme:\n  map:\n${Object.entries({
      type: "'acme.login'",
      title: 'what',
      severity: "'high'",
      employee: 'who',
      ...fields,
    })
      .map(([k, v]) => `    ${k}: ${JSON.stringify(v)}`)
      .join('\n')}\n`,
    'sources.yml',
  );

describe('the shipped examples (examples/sources.yml) map each vendor payload', () => {
  let examples: SourceMappings;
  beforeAll(async () => {
    examples = await loadSourceMappings(path.join(EXAMPLES, 'sources.yml'));
  });

  it('ships a mapping and a payload for each vendor', () => {
    expect(sourceNames(examples)).toEqual([
      'azure-monitor',
      'datadog',
      'elastic',
      'guardduty',
      'panther',
      'splunk',
    ]);
    for (const name of sourceNames(examples))
      expect(fs.existsSync(path.join(EXAMPLES, 'payloads', `${name}.json`))).toBe(true);
  });

  it('Splunk webhook alert action: first result row as details, _time as the event time, id derived', async () => {
    const result = await mapSourceBody(examples, 'splunk', payload('splunk'), RECEIVED);
    expect(result).toMatchObject({ ok: true, derivedId: true });
    if (!result.ok) return;
    expect(result.alert).toEqual({
      id: expect.stringMatching(/^splunk-[0-9a-f]{24}$/),
      type: 'splunk.Okta_admin_role_granted',
      title: 'Okta admin role granted',
      description: 'Splunk search "Okta admin role granted" (app search, owner admin) matched.',
      severity: 'high',
      occurredAt: '2025-11-21T10:15:00.000Z',
      source: 'splunk',
      employee: { email: 'ana@example.com' },
      details: {
        user: 'ana@example.com',
        src_ip: '203.0.113.7',
        action: 'role_granted',
        role: 'Super Administrator',
        app: 'okta',
        severity: 'high',
        count: '1',
      },
      sensitiveKeys: [],
      url: 'https://splunk.example.com:8000/app/search/@go?sid=scheduler_admin_search_W2_at_1763720160_132',
    });
  });

  it('Splunk: a result whose user is a name, not an email, maps to username', async () => {
    const body = payload('splunk') as { result: Record<string, string> };
    body.result.user = 'ana.lima';
    const result = await mapSourceBody(examples, 'splunk', body, RECEIVED);
    expect(result.ok && result.alert.employee).toEqual({ username: 'ana.lima' });
  });

  it('Datadog monitor webhook: priority to severity, $DATE to the time, user from the monitor scope', async () => {
    const result = await mapSourceBody(examples, 'datadog', payload('datadog'), RECEIVED);
    expect(result).toEqual({
      ok: true,
      derivedId: false,
      alert: {
        id: 'datadog-7342962731234567001',
        type: 'datadog.monitor.123456789',
        title: '[Triggered on {@usr.email:ana@example.com}] New country for console login',
        description: 'Ana signed in to the AWS console from a country not seen for her in 90 days.',
        severity: 'high',
        occurredAt: '2025-11-21T10:15:00.000Z',
        source: 'datadog',
        employee: { email: 'ana@example.com' },
        details: {
          monitor: '123456789',
          transition: 'Triggered',
          priority: 'P2',
          scope: '@usr.email:ana@example.com,@network.client.geoip.country.iso_code:PT',
          organization: 'Example Corp',
        },
        sensitiveKeys: [],
        url: 'https://app.datadoghq.com/event/event?id=7342962731234567890',
      },
    });
  });

  it('Datadog: P1 is critical, an unknown priority medium', async () => {
    const severityOf = async (priority: string) => {
      const r = await mapSourceBody(
        examples,
        'datadog',
        { ...(payload('datadog') as object), priority },
        RECEIVED,
      );
      return r.ok ? r.alert.severity : r.errors;
    };
    expect(await severityOf('P1')).toBe('critical');
    expect(await severityOf('P4')).toBe('low');
    expect(await severityOf('')).toBe('medium');
  });

  it('Panther custom webhook: alertId as id, the Okta actor as the employee, the runbook in the description', async () => {
    const result = await mapSourceBody(examples, 'panther', payload('panther'), RECEIVED);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.alert).toMatchObject({
      id: 'panther-b90c19e66e160e194a5b3b94ec27fb7c',
      type: 'panther.Okta.AdminRoleAssigned',
      title: 'Okta Admin Role Assigned to ana@example.com',
      severity: 'high',
      occurredAt: '2025-11-21T10:15:00Z',
      source: 'panther',
      employee: { email: 'ana@example.com' },
      url: 'https://example.runpanther.net/alerts/b90c19e66e160e194a5b3b94ec27fb7c',
    });
    expect(result.alert.description).toBe(
      'A user was granted an Okta administrator role.\n\nRunbook: Confirm the change with the user and the admin who granted it.',
    );
    expect(result.alert.details).toEqual({
      rule: 'Okta Admin Role Assigned',
      ruleId: 'Okta.AdminRoleAssigned',
      sourceIp: '203.0.113.7',
      eventType: 'user.account.privilege.grant',
      outcome: 'SUCCESS',
      tags: 'Okta, Privilege Escalation',
    });
    const info = await mapSourceBody(
      examples,
      'panther',
      { ...(payload('panther') as object), severity: 'INFO' },
      RECEIVED,
    );
    expect(info.ok && info.alert.severity).toBe('low');
  });

  it('Elastic Security webhook connector: the first alert of the run, its original time and ECS user', async () => {
    const result = await mapSourceBody(examples, 'elastic', payload('elastic'), RECEIVED);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.alert).toMatchObject({
      id: 'elastic-8d3f0d2e1b6f4d7a9c3e2b1a0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e',
      type: 'elastic.c5f81243-56e0-47f9-b5bb-55a5ed89ba57',
      title: 'AWS IAM User Addition to Group',
      severity: 'medium',
      occurredAt: '2025-11-21T10:15:00.000Z',
      source: 'elastic',
      employee: { email: 'ana@example.com', username: 'ana' },
      details: {
        rule: 'AWS IAM User Addition to Group',
        riskScore: 47,
        action: 'AddUserToGroup',
        dataset: 'aws.cloudtrail',
        host: 'ip-10-0-1-23',
        sourceIp: '203.0.113.7',
        cloudAccount: '123456789012',
      },
    });
  });

  it('Azure Monitor common alert schema (Sentinel workspace): Sev1 is high, the user from the dimensions', async () => {
    const result = await mapSourceBody(examples, 'azure-monitor', payload('azure-monitor'), RECEIVED);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.alert).toMatchObject({
      id: 'azure-aaaa0a0a-bb1b-cc2c-dd3d-eeeeee4e4e4e',
      type: 'azure.Sign-in_from_unfamiliar_location',
      title: 'Sign-in from unfamiliar location',
      severity: 'high',
      occurredAt: '2025-11-21T10:16:30.4126132Z',
      source: 'azure-monitor',
      employee: { email: 'ana@example.com' },
      details: {
        signalType: 'Log',
        monitoringService: 'Log Alerts V2',
        monitorCondition: 'Fired',
        IPAddress: '203.0.113.7',
        Location: 'PT',
      },
    });
    expect(result.alert.url).toMatch(/^https:\/\/portal\.azure\.com#.*example-filtered$/);
  });

  it('GuardDuty finding via EventBridge: numeric severity by AWS ranges, the SSO email, the key id sensitive', async () => {
    const result = await mapSourceBody(examples, 'guardduty', payload('guardduty'), RECEIVED);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.alert).toMatchObject({
      id: 'guardduty-16afba5c5c43e07c9e3e5e2e544e95df',
      type: 'aws.guardduty.UnauthorizedAccess:IAMUser_ConsoleLoginSuccess.B',
      title: 'Unusual console login was seen for principal ana@example.com.',
      severity: 'medium',
      occurredAt: '2025-11-21T10:15:00.000Z',
      source: 'guardduty',
      employee: { email: 'ana@example.com' },
      sensitiveKeys: ['accessKeyId'],
      url: 'https://console.aws.amazon.com/guardduty/home?region=us-east-1#/findings?fId=16afba5c5c43e07c9e3e5e2e544e95df',
    });
    expect(result.alert.details).toMatchObject({ api: 'ConsoleLogin', sourceIp: '203.0.113.7', count: 1 });
    const severities: Record<number, string> = {
      1: 'low',
      3.9: 'low',
      4: 'medium',
      6.9: 'medium',
      7: 'high',
      8.9: 'high',
      9: 'critical',
      10: 'critical',
    };
    for (const [score, expected] of Object.entries(severities)) {
      const body = payload('guardduty') as { detail: { severity: number } };
      body.detail.severity = Number(score);
      const r = await mapSourceBody(examples, 'guardduty', body, RECEIVED);
      expect([score, r.ok && r.alert.severity]).toEqual([score, expected]);
    }
  });

  it('GuardDuty: an IAM user finding maps its user name', async () => {
    const body = payload('guardduty') as {
      detail: { resource: { accessKeyDetails: Record<string, string> } };
    };
    Object.assign(body.detail.resource.accessKeyDetails, {
      principalId: 'AIDACKCEVSQ6C2EXAMPLE',
      userType: 'IAMUser',
      userName: 'ana',
    });
    const r = await mapSourceBody(examples, 'guardduty', body, RECEIVED);
    expect(r.ok && r.alert.employee).toEqual({ username: 'ana' });
  });

  it('an unknown source is an error result naming the file and its sources, not a throw', async () => {
    const errors = await errorsOf(examples, 'qradar', {});
    expect(errors).toEqual([
      {
        path: '(source)',
        message: `no source named "qradar"; sources in ${path.join(EXAMPLES, 'sources.yml')}: azure-monitor, datadog, elastic, guardduty, panther, splunk`,
      },
    ]);
  });

  it('never throws for arbitrary JSON bodies, and what it maps is a valid alert', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...sourceNames(examples)), fc.jsonValue(), async (name, body) => {
        const result = await mapSourceBody(examples, name, body, RECEIVED);
        if (result.ok) expect(alertInputSchema.safeParse(result.alert).success).toBe(true);
        else expect(result.errors.length).toBeGreaterThan(0);
      }),
      { numRuns: 300 },
    );
  });

  it('never throws for a vendor payload with any one field replaced by arbitrary JSON', async () => {
    const leaves = (value: unknown, at: string[] = []): string[][] =>
      value && typeof value === 'object'
        ? Object.entries(value).flatMap(([k, v]) => leaves(v, [...at, k]))
        : [at];
    const cases = sourceNames(examples).flatMap((name) => leaves(payload(name)).map((p) => ({ name, p })));
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...cases), fc.jsonValue(), async ({ name, p }, replacement) => {
        const body = payload(name) as Record<string, unknown>;
        let at: Record<string, unknown> = body;
        for (const key of p.slice(0, -1)) at = at[key] as Record<string, unknown>;
        at[p[p.length - 1]!] = replacement;
        const result = await mapSourceBody(examples, name, body, RECEIVED);
        if (result.ok) expect(alertInputSchema.safeParse(result.alert).success).toBe(true);
        else expect(result.errors.every((e) => e.path.length > 0 && e.message.length > 0)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});

describe('derived ids for sources that send none', () => {
  const sources = minimal({ details: '{"ip": ip}', occurredAt: 'at' });
  const untimed = minimal({ details: '{"ip": ip}' });
  const event = {
    what: 'Admin login',
    who: { email: 'ana@example.com' },
    ip: '203.0.113.7',
    at: '2025-11-21T10:15:00Z',
  };

  it('is <source>-<24 hex of SHA-256 over the canonical JSON of source, type, employee, details, occurredAt>', async () => {
    const result = await mapSourceBody(sources, 'acme', event, RECEIVED);
    expect(result).toMatchObject({ ok: true, derivedId: true });
    const expected = createHash('sha256')
      .update(
        canonicalize({
          source: 'acme',
          type: 'acme.login',
          employee: { email: 'ana@example.com' },
          details: { ip: '203.0.113.7' },
          occurredAt: '2025-11-21T10:15:00Z',
        })!,
      )
      .digest('hex')
      .slice(0, 24);
    expect(result.ok && result.alert.id).toBe(`acme-${expected}`);
  });

  it('the same event gives the same id (a redelivery later too); another time or detail another id', async () => {
    const idOf = async (body: object, received = RECEIVED) => {
      const r = await mapSourceBody(sources, 'acme', body, received);
      if (!r.ok) throw new Error(JSON.stringify(r.errors));
      return r.alert.id;
    };
    const first = await idOf(event);
    expect(await idOf({ ...event })).toBe(first);
    expect(await idOf(event, new Date('2025-11-22T08:00:00Z'))).toBe(first);
    expect(await idOf({ ...event, at: '2025-11-21T10:15:01Z' })).not.toBe(first);
    expect(await idOf({ ...event, ip: '203.0.113.8' })).not.toBe(first);
    expect(await idOf({ ...event, who: { email: 'bo@example.com' } })).not.toBe(first);
  });

  it('without a mapped time: the alert takes the receive time, the id the receive time to the minute', async () => {
    const mapAt = async (iso: string) => {
      const r = await mapSourceBody(untimed, 'acme', event, new Date(iso));
      if (!r.ok) throw new Error(JSON.stringify(r.errors));
      return r.alert;
    };
    const a = await mapAt('2025-11-21T10:15:05.120Z');
    expect(a.occurredAt).toBe('2025-11-21T10:15:05.120Z');
    expect((await mapAt('2025-11-21T10:15:59.999Z')).id).toBe(a.id);
    expect((await mapAt('2025-11-21T10:16:00.000Z')).id).not.toBe(a.id);
  });

  it('a mapped id that yields nothing falls back to the derived id', async () => {
    const m = minimal({ id: 'eventId' });
    const r = await mapSourceBody(m, 'acme', event, RECEIVED);
    expect(r).toMatchObject({
      ok: true,
      derivedId: true,
      alert: { id: expect.stringMatching(/^acme-[0-9a-f]{24}$/) },
    });
    const given = await mapSourceBody(m, 'acme', { ...event, eventId: 4711 }, RECEIVED);
    expect(given).toMatchObject({ ok: true, derivedId: false, alert: { id: '4711' } });
  });
});

describe('bad payloads: every failing field named with its path and the expression', () => {
  it('names employee.email, severity and details keys, each with the mapping that produced it', async () => {
    const m = minimal({ severity: 'level', employee: '{"email": who}', details: 'extra' });
    const errors = await errorsOf(m, 'acme', {
      what: 'Admin login',
      who: 'not-an-email',
      level: 'urgent',
      extra: { ['k'.repeat(101)]: 1, fine: 'yes' },
    });
    const byPath = Object.fromEntries(errors.map((e) => [e.path, e.message]));
    const longKey = `details.${'k'.repeat(101)}`;
    expect(Object.keys(byPath).sort()).toEqual([longKey, 'employee.email', 'severity'].sort());
    expect(byPath['employee.email']).toBe(
      'must be an email address, e.g. "ana@example.com" (mapping employee: "{"email": who}")',
    );
    expect(byPath.severity).toBe('must be one of low, medium, high, critical (mapping severity: "level")');
    expect(byPath[longKey]).toMatch(/\(mapping details: "extra"\)$/);
  });

  it('a detail key mapped on its own is reported as details.<key>', async () => {
    const m = parseSourceMappings(
      `acme:\n  map:\n    type: "'acme.login'"\n    title: what\n    severity: "'low'"\n    employee: {email: who}\n    details:\n      port: port\n      host: host\n`,
      'sources.yml',
    );
    const long = 'k'.repeat(100);
    const errors = await errorsOf(m, 'acme', {
      what: 'x',
      who: 'a@example.com',
      port: { [long]: 1 },
      host: 'h1',
    });
    expect(errors).toEqual([
      { path: `details.port.${long}`, message: expect.stringMatching(/\(mapping details\.port: "port"\)$/) },
    ]);
  });

  it('a required field that yields nothing says so, and hints at quoting a bare word', async () => {
    const m = minimal({ severity: 'high' });
    const errors = await errorsOf(m, 'acme', { who: { email: 'ana@example.com' } });
    expect(errors).toEqual([
      {
        path: 'title',
        message: expect.stringMatching(
          /^is required .*\(mapping title: "what"; it yielded nothing for this body/,
        ),
      },
      {
        path: 'severity',
        message: expect.stringContaining(
          `(mapping severity: "high"; it yielded nothing for this body (for the literal text, quote it: "'high'"))`,
        ),
      },
    ]);
  });

  it('an employee mapped field by field with nothing found names all its expressions', async () => {
    const m = parseSourceMappings(
      `acme:\n  map:\n    type: "'t'"\n    title: "'x'"\n    severity: "'low'"\n    employee:\n      email: user.mail\n      username: user.login\n`,
      'sources.yml',
    );
    const errors = await errorsOf(m, 'acme', {});
    expect(errors).toEqual([
      {
        path: 'employee',
        message:
          'needs at least one of email, slackUserId or username (mapping employee: "email: user.mail; username: user.login"; it yielded nothing for this body)',
      },
    ]);
  });

  it('an expression that fails at run time is reported on its field', async () => {
    const m = minimal({ occurredAt: '$fromMillis($number(at))' });
    const errors = await errorsOf(m, 'acme', { what: 'x', who: { email: 'a@example.com' }, at: 'yesterday' });
    expect(errors).toEqual([
      {
        path: 'occurredAt',
        message: expect.stringMatching(
          /^the expression failed: .+\(mapping occurredAt: "\$fromMillis\(\$number\(at\)\)"\)$/,
        ),
      },
    ]);
  });

  it('details are flattened: nested objects to dotted keys, lists to text, long text cut', async () => {
    const m = minimal({ details: 'd' });
    const r = await mapSourceBody(
      m,
      'acme',
      {
        what: 'x',
        who: { email: 'a@example.com' },
        d: {
          a: { b: 1, c: true },
          list: ['x', 2],
          objects: [{ k: 'v' }],
          gone: null,
          long: 'y'.repeat(2500),
        },
      },
      RECEIVED,
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.alert.details).toEqual({
      'a.b': 1,
      'a.c': true,
      list: 'x, 2',
      objects: '[{"k":"v"}]',
      long: `${'y'.repeat(1999)}…`,
    });
  });
});

describe('a bad sources file names the source, the field and the fix', () => {
  it('a JSONata syntax error is reported at load with source and field', () => {
    const message = problemsOf(
      `splunk:\n  map:\n    type: "'t'"\n    title: "search_name &"\n    severity: "'low'"\n    employee: user\n`,
    );
    expect(message).toMatch(/^Invalid source mappings in sources\.yml: 1 problem\n/);
    expect(message).toMatch(
      / {2}- splunk\.map\.title: not a valid JSONata expression: .+ \(at character \d+\); literal text needs quotes inside/,
    );
  });

  it('a missing required field, an unknown field and a non-text expression are each named', () => {
    const message = problemsOf(
      `datadog:\n  map:\n    type: "'t'"\n    severity: 3\n    employe: user\n    employee: user\n`,
    );
    expect(message).toContain('datadog.map.title: is required');
    expect(message).toContain('datadog.map.severity: must be a JSONata expression written as text');
    expect(message).toMatch(
      /datadog\.map: unknown field\(s\) employe: remove them \(known: id, type, title, .*employee/,
    );
  });

  it('a bad source name, a bad signature and broken YAML are refused', () => {
    expect(problemsOf(`Splunk Prod:\n  map: {}\n`)).toContain(
      'Splunk Prod: a source name is 1–64 of a-z 0-9 _ -',
    );
    expect(
      problemsOf(
        `acme:\n  signature: {scheme: md5, header: X-Sig, secret: acme}\n  map: {type: "'t'", title: x, severity: "'low'", employee: u}\n`,
      ),
    ).toContain('acme.signature.scheme: expected one of "hmac-sha256"');
    expect(problemsOf(`acme:\n  map: {type: "'t'"\n`)).toMatch(/ {2}- line \d+: .*not valid YAML/);
  });

  it('a missing file maps no sources; an empty one too', async () => {
    const missing = await loadSourceMappings(path.join(os.tmpdir(), 'no-such-vouch-sources.yml'));
    expect(sourceNames(missing)).toEqual([]);
    expect(sourceNames(parseSourceMappings('', 'sources.yml'))).toEqual([]);
    const errors = await errorsOf(missing, 'splunk', {});
    expect(errors[0]!.message).toMatch(
      /no source named "splunk"; .*no-such-vouch-sources\.yml maps no sources/,
    );
  });

  it('keeps the signature settings with their defaults for the intake', () => {
    const m = parseSourceMappings(
      `acme:\n  signature: {scheme: hmac-sha256, header: X-Signature, secret: acme}\n  map: {type: "'t'", title: x, severity: "'low'", employee: u}\n`,
      'sources.yml',
    );
    expect(m.sources.get('acme')!.signature).toEqual({
      scheme: 'hmac-sha256',
      header: 'X-Signature',
      secret: 'acme',
      encoding: 'hex',
      prefix: '',
    });
  });
});
