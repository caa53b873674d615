import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  CONFIG_VARIABLES,
  ConfigError,
  SECRET_FILE_VARIABLES,
  declarations,
  loadConfig,
  rawDefault,
  missingForSlack,
  productionWarnings,
} from '../../lib/config';

const KEY = Buffer.alloc(32, 7).toString('base64');
const WHSEC = `whsec_${Buffer.alloc(32, 9).toString('base64')}`;
const TEAMS_APP_ID = '6f2c1d7e-8a4b-4c3d-9e5f-0a1b2c3d4e5f';
const TEAMS_TENANT_ID = '72f988bf-86f1-41af-91ab-2d7cd011db47';

describe('config', () => {
  it('applies the documented defaults', () => {
    const c = loadConfig({ HOME: '/home/x' }, '/srv/vouch');
    expect(c.temporal).toMatchObject({
      address: '127.0.0.1:7233',
      addressIsExternal: false,
      namespace: 'default',
      taskQueue: 'vouch-interviews',
      uiUrl: 'http://localhost:8233',
    });
    expect(c.mongo).toEqual({ url: 'mongodb://127.0.0.1:27017', urlIsExternal: false, db: 'vouch' });
    expect(c.slack.botPort).toBe(3000);
    expect(c.maxCachedWorkflows).toBe(200);
    expect(c.slack.apiUrl).toBe('https://slack.com/api/');
    expect(c.dataDir).toBe('/srv/vouch/data');
    expect(c.cacheDir).toMatch(/\/\.cache\/vouch$/);
    expect(Object.isFrozen(c) && Object.isFrozen(c.slack)).toBe(true);
  });

  it('reads every variable it documents', () => {
    const c = loadConfig({
      TEMPORAL_ADDRESS: 'temporal:7233',
      MONGODB_URL: 'mongodb://mongo:27017',
      MONGODB_DB: 'vouch_prod',
      SLACK_BOT_TOKEN: 'xoxb-1',
      SLACK_SIGNING_SECRET: 'abc',
      SLACK_API_URL: 'http://127.0.0.1:9999/api',
      BOT_PORT: '3100',
      VOUCH_OPERATORS: 'U123ABC, S0ABCDEF',
      VOUCH_ENCRYPTION_KEY: KEY,
      VOUCH_CACHE_DIR: '/c',
    });
    expect(c.temporal).toMatchObject({ address: 'temporal:7233', addressIsExternal: true });
    expect(c.mongo).toEqual({ url: 'mongodb://mongo:27017', urlIsExternal: true, db: 'vouch_prod' });
    expect(c.slack).toMatchObject({
      botPort: 3100,
      apiUrl: 'http://127.0.0.1:9999/api/',
      operators: ['U123ABC', 'S0ABCDEF'],
    });
    expect(c.encryptionKey?.length).toBe(32);
    expect(c.cacheDir).toBe('/c');
    expect(missingForSlack(c)).toEqual([]);
  });

  it('names each bad variable, what it expects, and never echoes a secret', () => {
    let error: unknown;
    try {
      loadConfig({
        BOT_PORT: 'abc',
        TEMPORAL_ADDRESS: 'localhost',
        SLACK_BOT_TOKEN: 'xoxp-personal-token',
        VOUCH_ENCRYPTION_KEY: 'short',
        LOG_LEVEL: 'loud',
        VOUCH_PREVIOUS_ENCRYPTION_KEYS: 'not-a-key',
        VOUCH_CODEC_TOKEN: 'too-short-token',
        VOUCH_EMBEDDED_MONGO_BACKEND: 'mysql',
        VOUCH_MAX_CACHED_WORKFLOWS: '1',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toMatch(/BOT_PORT: expected a port number.*got "abc"/);
    expect(message).toMatch(/TEMPORAL_ADDRESS: expected host:port/);
    expect(message).toMatch(/SLACK_BOT_TOKEN: expected a bot token starting with "xoxb-"/);
    expect(message).toMatch(
      /VOUCH_ENCRYPTION_KEY: expected 32 random bytes in base64.*openssl rand -base64 32/,
    );
    expect(message).toMatch(/LOG_LEVEL: expected one of/);
    expect(message).not.toContain('xoxp-personal-token');
    expect(message).toMatch(
      /VOUCH_PREVIOUS_ENCRYPTION_KEYS: expected comma-separated keys of 32 bytes in base64/,
    );
    expect(message).toMatch(/VOUCH_CODEC_TOKEN: expected at least 32 characters/);
    expect(message).toMatch(/VOUCH_EMBEDDED_MONGO_BACKEND: expected postgresql or sqlite \(got "mysql"\)/);
    expect(message).toMatch(/VOUCH_MAX_CACHED_WORKFLOWS: expected at least 2 interviews/);
    expect(message).not.toContain('short');
    expect(message).not.toContain('not-a-key');
  });

  it("shows the value of a URL as little as a secret's, since it may carry credentials", () => {
    const message = (() => {
      try {
        loadConfig({ TEMPORAL_UI_URL: 'temporal hunter2', VOUCH_LLM_URL: 'ftp://k:hunter3@llm' });
      } catch (e) {
        return (e as Error).message;
      }
      return '';
    })();
    expect(message).toMatch(/TEMPORAL_UI_URL: expected a URL .*\(got a value\)/);
    expect(message).toMatch(/VOUCH_LLM_URL: expected the base URL .*\(got a value\)/);
    expect(message).not.toMatch(/hunter/);
  });

  describe('the declarations', () => {
    const named = Object.entries(declarations);

    it.each(named.filter(([, d]) => d.default !== undefined))(
      '%s: its default passes its own schema',
      (_n, d) => {
        expect(d.schema.safeParse(rawDefault(d)).success).toBe(true);
      },
    );

    it('setting each variable to its declared default is the same as leaving it unset', () => {
      const defaults = Object.fromEntries(
        named.filter(([, d]) => d.default !== undefined).map(([name, d]) => [name, rawDefault(d)]),
      );
      expect(Object.keys(defaults).length).toBeGreaterThan(10);
      expect(loadConfig(defaults, '/srv/vouch')).toEqual(loadConfig({}, '/srv/vouch'));
    });

    it('give each variable one line of documentation, and a default or what happens unset at most once', () => {
      for (const [name, d] of named) {
        expect([name, d.doc]).toEqual([name, expect.stringMatching(/^[^\n]{10,200}$/)]);
        expect([name, d.default !== undefined && d.unset !== undefined]).toEqual([name, false]);
      }
    });

    it('make exactly the secrets readable from <NAME>_FILE', () => {
      expect([...SECRET_FILE_VARIABLES].sort()).toEqual(
        Object.keys(CONFIG_VARIABLES)
          .filter((name) => declarations[name as keyof typeof CONFIG_VARIABLES].secret)
          .sort(),
      );
      expect(SECRET_FILE_VARIABLES).toEqual(expect.arrayContaining(['SLACK_BOT_TOKEN', 'MONGODB_URL']));
      expect(SECRET_FILE_VARIABLES).not.toContain('BOT_PORT');
    });
  });

  it('says what is missing for Slack', () => {
    expect(missingForSlack(loadConfig({}))).toEqual([
      expect.stringContaining('SLACK_BOT_TOKEN'),
      expect.stringContaining('SLACK_SIGNING_SECRET'),
    ]);
    expect(missingForSlack(loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1' }))).toEqual([]);
  });

  describe('verdict receivers', () => {
    it('pairs each VOUCH_VERDICT_WEBHOOKS name with its secret', () => {
      const c = loadConfig({
        VOUCH_VERDICT_WEBHOOKS: 'siem=https://siem.example.com/hooks/vouch?x=1,relay=http://127.0.0.1:9/v',
        VOUCH_VERDICT_SECRETS: `siem=${WHSEC},relay=${WHSEC}`,
      });
      expect(c.verdicts.webhooks).toEqual([
        { name: 'siem', url: 'https://siem.example.com/hooks/vouch?x=1' },
        { name: 'relay', url: 'http://127.0.0.1:9/v' },
      ]);
      expect(c.verdicts.splunk).toBeUndefined();
    });

    it('refuses a webhook without its secret, naming the missing name and the fix', () => {
      expect(() =>
        loadConfig({
          VOUCH_VERDICT_WEBHOOKS: 'siem=https://siem.example.com/v',
          VOUCH_VERDICT_SECRETS: `other=${WHSEC}`,
        }),
      ).toThrow(/VOUCH_VERDICT_SECRETS: expected a secret named "siem" .*\(add siem=whsec_…\)/);
    });

    it('refuses a secret that is not a Standard Webhooks whsec_ secret, without echoing it', () => {
      const run = () => loadConfig({ VOUCH_VERDICT_SECRETS: 'siem=plain-shared-secret-0123456789' });
      expect(run).toThrow(
        /VOUCH_VERDICT_SECRETS: expected comma-separated name=whsec_<base64> pairs .*\(got a value\)/,
      );
      expect(run).not.toThrow(/plain-shared-secret/);
    });

    it('refuses a plain-http webhook to another machine, and a Splunk URL without its token', () => {
      expect(() =>
        loadConfig({
          VOUCH_VERDICT_WEBHOOKS: 'siem=http://siem.example.com/v',
          VOUCH_VERDICT_SECRETS: `siem=${WHSEC}`,
        }),
      ).toThrow(/VOUCH_VERDICT_WEBHOOKS: siem: expected an https URL \(plain http only to localhost\)/);
      expect(() => loadConfig({ VOUCH_SPLUNK_HEC_URL: 'https://splunk.example.com:8088' })).toThrow(
        /VOUCH_SPLUNK_HEC_TOKEN: expected VOUCH_SPLUNK_HEC_URL and VOUCH_SPLUNK_HEC_TOKEN together/,
      );
      expect(() => loadConfig({ VOUCH_SPLUNK_HEC_TOKEN: 't' })).toThrow(/VOUCH_SPLUNK_HEC_URL: expected/);
    });
  });

  describe('Microsoft Teams', () => {
    it("is off without an app id, and takes the public cloud's endpoints by default", () => {
      expect(loadConfig({}).teams).toBeUndefined();
      const c = loadConfig({
        VOUCH_TEAMS_APP_ID: TEAMS_APP_ID,
        VOUCH_TEAMS_APP_PASSWORD: 'secret',
        VOUCH_TEAMS_TENANT_ID: TEAMS_TENANT_ID,
      });
      expect(c.teams).toEqual({
        appId: TEAMS_APP_ID,
        appPassword: 'secret',
        tenantId: TEAMS_TENANT_ID,
        operatorsConversation: undefined,
        operators: [],
        port: 3978,
        serviceUrl: 'https://smba.trafficmanager.net/teams/',
        openIdUrl: 'https://login.botframework.com/v1/.well-known/openidconfiguration',
        tokenUrl: `https://login.microsoftonline.com/${TEAMS_TENANT_ID}/oauth2/v2.0/token`,
      });
    });

    it('names what is missing or malformed, never echoing the secret', () => {
      expect(() => loadConfig({ VOUCH_TEAMS_APP_ID: TEAMS_APP_ID })).toThrow(
        /VOUCH_TEAMS_APP_PASSWORD: expected VOUCH_TEAMS_APP_PASSWORD when VOUCH_TEAMS_APP_ID is set[^\n]*\n\s+- VOUCH_TEAMS_TENANT_ID: expected/,
      );
      expect(() => loadConfig({ VOUCH_TEAMS_APP_ID: 'vouch-bot' })).toThrow(
        /VOUCH_TEAMS_APP_ID: expected the Teams bot's Microsoft App ID, a GUID \(got "vouch-bot"\)/,
      );
      expect(() => loadConfig({ VOUCH_TEAMS_OPERATORS_CONVERSATION: 'security' })).toThrow(
        /VOUCH_TEAMS_OPERATORS_CONVERSATION: expected a Teams channel's conversation id/,
      );
      expect(() => loadConfig({ VOUCH_TEAMS_SERVICE_URL: 'http://connector.example.com/' })).toThrow(
        /VOUCH_TEAMS_SERVICE_URL: /,
      );
    });

    it("looks people up in Microsoft Graph only when asked to, with the Teams app, at the public cloud's Graph by default", () => {
      const teams = {
        VOUCH_TEAMS_APP_ID: TEAMS_APP_ID,
        VOUCH_TEAMS_APP_PASSWORD: 'secret',
        VOUCH_TEAMS_TENANT_ID: TEAMS_TENANT_ID,
      };
      expect(loadConfig(teams).teams?.graph).toBeUndefined();
      expect(loadConfig({ ...teams, VOUCH_GRAPH_LOOKUP: 'true' }).teams?.graph).toEqual({
        url: 'https://graph.microsoft.com',
        scope: 'https://graph.microsoft.com/.default',
      });
      expect(
        loadConfig({ ...teams, VOUCH_GRAPH_LOOKUP: 'true', VOUCH_GRAPH_URL: 'https://graph.microsoft.us/' })
          .teams?.graph,
      ).toEqual({ url: 'https://graph.microsoft.us', scope: 'https://graph.microsoft.us/.default' });
      expect(() => loadConfig({ VOUCH_GRAPH_LOOKUP: 'true' })).toThrow(
        /VOUCH_GRAPH_LOOKUP: expected VOUCH_TEAMS_APP_ID with VOUCH_GRAPH_LOOKUP=true/,
      );
      expect(() => loadConfig({ ...teams, VOUCH_GRAPH_LOOKUP: 'yes' })).toThrow(
        /VOUCH_GRAPH_LOOKUP: expected true or false \(got "yes"\)/,
      );
      expect(() => loadConfig({ ...teams, VOUCH_GRAPH_URL: 'http://graph.example.com' })).toThrow(
        /VOUCH_GRAPH_URL: /,
      );
    });
  });

  describe('secrets from files (<NAME>_FILE, as Docker and Kubernetes mount them)', () => {
    let dir: string;
    beforeAll(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vouch-config-'));
    });
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
    const secretFile = (name: string, content: string) => {
      const file = path.join(dir, name);
      fs.writeFileSync(file, content);
      return file;
    };

    it('reads every secret variable from its _FILE, without the trailing newline', () => {
      const values: Record<(typeof SECRET_FILE_VARIABLES)[number], string> = {
        SLACK_BOT_TOKEN: 'xoxb-from-file',
        SLACK_SIGNING_SECRET: 'signing-from-file',
        SLACK_APP_TOKEN: 'xapp-from-file',
        VOUCH_ENCRYPTION_KEY: KEY,
        VOUCH_PREVIOUS_ENCRYPTION_KEYS: Buffer.alloc(32, 7).toString('base64'),
        VOUCH_CODEC_TOKEN: 'c'.repeat(64),
        VOUCH_WEBHOOK_SECRETS: 'soar=0123456789abcdef0123',
        VOUCH_SOURCE_SECRETS: 'github=fedcba9876543210fedc',
        VOUCH_VERDICT_SECRETS: `siem=${WHSEC}`,
        VOUCH_SPLUNK_HEC_TOKEN: 'hec-token-from-file',
        VOUCH_LLM_API_KEY: 'sk-from-file',
        MONGODB_URL: 'mongodb://vouch:p%40ss@mongo:27017/vouch?authSource=vouch',
        VOUCH_SMTP_URL: 'smtps://vouch:p%40ss@smtp.example.com:465',
        VOUCH_TEAMS_APP_PASSWORD: 'teams-secret-from-file',
      };
      const env = Object.fromEntries(
        SECRET_FILE_VARIABLES.map((name) => [`${name}_FILE`, secretFile(name, `${values[name]}\n`)]),
      );
      const c = loadConfig({
        ...env,
        VOUCH_LLM_URL: 'http://127.0.0.1:1/v1',
        VOUCH_LLM_MODEL: 'm',
        VOUCH_SPLUNK_HEC_URL: 'https://splunk.example.com:8088/',
        VOUCH_MAIL_FROM: 'Vouch <vouch@example.com>',
        VOUCH_TEAMS_APP_ID: TEAMS_APP_ID,
        VOUCH_TEAMS_TENANT_ID: TEAMS_TENANT_ID,
      });
      expect(c.teams?.appPassword).toBe(values.VOUCH_TEAMS_APP_PASSWORD);
      expect(c.mail).toEqual({ smtpUrl: values.VOUCH_SMTP_URL, from: 'Vouch <vouch@example.com>' });
      expect(c.slack).toMatchObject({
        botToken: values.SLACK_BOT_TOKEN,
        signingSecret: values.SLACK_SIGNING_SECRET,
        appToken: values.SLACK_APP_TOKEN,
      });
      expect(c.encryptionKey?.toString('base64')).toBe(KEY);
      expect(c.escalation.webhookSecrets).toEqual({ soar: '0123456789abcdef0123' });
      expect(c.sourceSecrets).toEqual({ github: 'fedcba9876543210fedc' });
      expect(c.llm?.apiKey).toBe(values.VOUCH_LLM_API_KEY);
      expect(c.verdicts.secrets).toEqual({ siem: WHSEC });
      expect(c.verdicts.splunk).toEqual({
        url: 'https://splunk.example.com:8088',
        token: 'hec-token-from-file',
      });
      expect(c.mongo).toMatchObject({ url: values.MONGODB_URL, urlIsExternal: true });
    });

    it('validates a value read from a file like any other, without echoing it', () => {
      const file = secretFile('bad-token', 'xoxp-personal-token\n');
      expect(() => loadConfig({ SLACK_BOT_TOKEN_FILE: file })).toThrow(
        /SLACK_BOT_TOKEN: expected a bot token starting with "xoxb-" \(got a value\)/,
      );
      expect(() => loadConfig({ SLACK_BOT_TOKEN_FILE: file })).not.toThrow(/xoxp-personal-token/);
    });

    it('refuses a missing file and a secret given both ways, naming the variable', () => {
      expect(() => loadConfig({ VOUCH_ENCRYPTION_KEY_FILE: path.join(dir, 'absent') })).toThrow(
        /VOUCH_ENCRYPTION_KEY_FILE: cannot read ".*absent" \(ENOENT\); mount the secret file there/,
      );
      const file = secretFile('token', 'xoxb-2');
      expect(() => loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_BOT_TOKEN_FILE: file })).toThrow(
        /SLACK_BOT_TOKEN_FILE: set either SLACK_BOT_TOKEN or SLACK_BOT_TOKEN_FILE, not both/,
      );
    });

    it('has no _FILE form for settings that are not secret', () => {
      const c = loadConfig({ BOT_PORT_FILE: secretFile('port', '4000') });
      expect(c.slack.botPort).toBe(3000);
    });
  });

  describe('production warnings', () => {
    it('warns in production when the public URL or the Web UI URL is localhost', () => {
      const warnings = productionWarnings(
        loadConfig({ NODE_ENV: 'production', TEMPORAL_UI_URL: 'http://127.0.0.1:8080' }),
      );
      expect(warnings).toEqual([
        expect.stringMatching(/^VOUCH_PUBLIC_URL is http:\/\/localhost:3000: .*public https URL/),
        expect.stringMatching(/^TEMPORAL_UI_URL is http:\/\/127\.0\.0\.1:8080: /),
      ]);
    });

    it('is quiet with real URLs, and outside production', () => {
      expect(
        productionWarnings(
          loadConfig({
            NODE_ENV: 'production',
            VOUCH_PUBLIC_URL: 'https://vouch.example.com',
            TEMPORAL_UI_URL: 'https://temporal.example.com',
          }),
        ),
      ).toEqual([]);
      expect(productionWarnings(loadConfig({}))).toEqual([]);
    });

    it('warns each process only about the links it makes', () => {
      const c = loadConfig({ NODE_ENV: 'production' });
      expect(productionWarnings(c, ['VOUCH_PUBLIC_URL'])).toEqual([
        expect.stringMatching(/^VOUCH_PUBLIC_URL/),
      ]);
      expect(productionWarnings(c, ['TEMPORAL_UI_URL'])).toEqual([expect.stringMatching(/^TEMPORAL_UI_URL/)]);
    });
  });
});
