import { ConfigError, loadConfig, missingForSlack } from '../../lib/config';

const KEY = Buffer.alloc(32, 7).toString('base64');

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
    expect(message).not.toContain('short');
    expect(message).not.toContain('not-a-key');
  });

  it('says what is missing for Slack', () => {
    expect(missingForSlack(loadConfig({}))).toEqual([
      expect.stringContaining('SLACK_BOT_TOKEN'),
      expect.stringContaining('SLACK_SIGNING_SECRET'),
    ]);
    expect(missingForSlack(loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1' }))).toEqual([]);
  });
});
