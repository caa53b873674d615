import fc from 'fast-check';
import { alertFingerprint, fingerprintScope } from '../../activities/fingerprint';
import { parseAlert } from '../../shared/alert';
import { policySchema, suppressionScope, suppressionWarning } from '../../shared/policy';
import { SLACK_LIMITS, cutText, keyText, slackText } from '../../shared/slack-text';
import { alertFor } from '../helpers/interview-harness';
import { cliEnv, runCli } from '../helpers/cli';
import { isolatedMongo } from '../helpers/servers';

const alert = (details: Record<string, string | number>, sensitiveKeys: string[] = []) =>
  parseAlert(alertFor({ email: 'ana@example.com' }, { id: 'a1', details, sensitiveKeys }));

describe('suppression scope', () => {
  it('defaults to all details; keys narrow what must match; type is only when written out', () => {
    const parse = (suppression: unknown) => policySchema.parse({ suppression }).suppression;
    expect(suppressionScope(parse(undefined))).toBe('details');
    expect(suppressionScope(parse({ window: '7d', keys: [] }))).toBe('details'); // the old default's spelling
    expect(suppressionScope(parse({ keys: ['sourceIp'] }))).toBe('keys');
    expect(suppressionScope(parse({ scope: 'type' }))).toBe('type');
    const problems = (suppression: unknown) =>
      policySchema.safeParse({ suppression }).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(problems({ scope: 'type', keys: ['a'] })).toEqual([
      expect.stringMatching(/^suppression\.keys: must be empty/),
    ]);
    expect(problems({ scope: 'keys' })).toEqual([
      expect.stringMatching(/^suppression\.keys: scope "keys" needs/),
    ]);
    expect(problems({ scope: 'everything' })).toHaveLength(1);
    expect(suppressionWarning(parse({ scope: 'type' }))).toMatch(/every alert of this type/);
    expect(suppressionWarning(parse({ scope: 'type', window: '0s' }))).toBeNull();
    expect(suppressionWarning(parse(undefined))).toBeNull();
  });

  it('the default fingerprint covers every non-sensitive detail, key and value, in any order', () => {
    const details = { sourceIp: '203.0.113.7', user: 'ana', account: '111' };
    const fp = (d: Record<string, string | number>, scope: object = {}) =>
      alertFingerprint(alert(d, ['account']), { keys: [], ...scope });
    const base = fp(details);
    expect(fingerprintScope(base)).toBe('details');
    expect(fp({ account: '222', user: 'ana', sourceIp: '203.0.113.7' })).toBe(base); // order, sensitive
    expect(fp({ ...details, user: 'mallory' })).not.toBe(base);
    expect(fp({ ...details, extra: 'x' })).not.toBe(base);
    expect(fp({ ...details, sourceIp: 1 })).not.toBe(fp({ ...details, sourceIp: '1' }));
    // A key or value cannot pose as a separator between two others.
    expect(fp({ 'a"=1\n"b': '2' })).not.toBe(fp({ a: '1', b: '2' }));
    expect(fp({ ...details, user: 'mallory' }, { keys: ['sourceIp'] })).toBe(
      fp(details, { keys: ['sourceIp'] }),
    );
    expect(fp({ other: 'x' }, { scope: 'type' })).toBe(fp(details, { scope: 'type' }));
    expect(fingerprintScope('0123456789abcdef0123456789abcdef')).toBe('legacy');
  });

  it('vouch policy set warns about scope: type', async () => {
    const mongo = await isolatedMongo();
    try {
      const set = await runCli(['policy', 'set', '-', '--dry-run'], cliEnv(mongo.db), {
        input: 'aws.noisy:\n  suppression: { window: 7d, scope: type }\naws.quiet:\n  deadline: 1h\n',
      });
      expect(set.status).toBe(0);
      expect(set.stderr).toMatch(/warning: aws\.noisy: suppression\.scope is "type"/);
      expect(set.stderr).not.toMatch(/aws\.quiet/);
    } finally {
      await mongo.drop();
    }
  });
});

describe('Slack text: escaped, defanged, then cut', () => {
  const limit = fc.integer({ min: 2, max: 3000 });
  const hostile = fc.string({
    unit: fc.oneof(
      fc.constantFrom('&', '<', '>', '.', 'a', ':', '/', '🔐', '\u0000'),
      fc.string({ unit: 'grapheme', maxLength: 1 }),
    ),
    maxLength: 4000,
  });

  it('never exceeds the limit, never splits an escape or an emoji, and never lets markup through', () => {
    fc.assert(
      fc.property(hostile, limit, (text, max) => {
        for (const out of [slackText(text, max), keyText(text, max)]) {
          expect(out.length).toBeLessThanOrEqual(max);
          expect(out).not.toMatch(/[<>]/);
          expect(out).not.toMatch(/&(?!amp;|lt;|gt;)/);
          expect(out).not.toContain('\u0000');
          expect(out).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])/);
        }
        expect(slackText(text, max)).not.toMatch(/https?:\/\//);
      }),
      { numRuns: 500 },
    );
  });

  it('keeps text within the limit as it is, and keeps keys as written', () => {
    expect(cutText('x'.repeat(SLACK_LIMITS.sectionText), SLACK_LIMITS.sectionText)).toHaveLength(3000);
    expect(cutText('&amp;&amp;', 8)).toBe('&amp;…');
    expect(keyText('aws.region', 100)).toBe('aws.region');
    expect(keyText('$where', 100)).toBe('$where');
    expect(slackText('see evil.example', 100)).toBe('see evil[.]example');
  });

  it('never yields a blank text, which Slack refuses', () => {
    expect(slackText('\n\n \t', 100)).toBe('—');
    expect(cutText('', 10)).toBe('—');
  });
});
