import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

/** The Slack app manifest grants exactly the scopes for the Web API methods Vouch calls. */
const ROOT = path.join(__dirname, '../..');
const SCOPE_FOR_METHOD: Record<string, string | null> = {
  'chat.postMessage': 'chat:write',
  'chat.postEphemeral': 'chat:write',
  'chat.update': 'chat:write',
  'conversations.open': 'im:write',
  'users.info': 'users:read',
  'users.lookupByEmail': 'users:read.email',
  'usergroups.users.list': 'usergroups:read',
  'views.open': null,
  'views.update': null,
};
/** Scopes that the events the bot subscribes to need. */
const SCOPE_FOR_EVENT: Record<string, string> = {
  'message.im': 'im:history',
};

function methodsCalled(): Set<string> {
  const found = new Set<string>();
  for (const dir of ['activities', 'bot']) {
    const walk = (d: string) => {
      for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
        const file = path.join(d, entry.name);
        if (entry.isDirectory()) walk(file);
        else if (file.endsWith('.ts'))
          for (const m of fs
            .readFileSync(file, 'utf8')
            .matchAll(/\.(chat|conversations|users|usergroups|views)\.(\w+(?:\.\w+)?)\(/g))
            found.add(`${m[1]}.${m[2]}`);
      }
    };
    walk(path.join(ROOT, dir));
  }
  return found;
}

describe('manifest.yml', () => {
  const manifest = parse(fs.readFileSync(path.join(ROOT, 'manifest.yml'), 'utf8'));
  const scopes: string[] = manifest.oauth_config.scopes.bot;

  it('grants a scope for every Web API method the code calls and every event it subscribes to, and no other', () => {
    const methods = methodsCalled();
    expect(methods.size).toBeGreaterThanOrEqual(7);
    const events: string[] = manifest.settings.event_subscriptions?.bot_events ?? [];
    for (const event of events) expect(Object.keys(SCOPE_FOR_EVENT)).toContain(event);
    const needed = new Set<string>(events.map((e) => SCOPE_FOR_EVENT[e]!));
    for (const method of methods) {
      expect(Object.keys(SCOPE_FOR_METHOD)).toContain(method); // a new method needs its scope decided here
      const scope = SCOPE_FOR_METHOD[method];
      if (scope) needed.add(scope);
    }
    expect([...scopes].sort()).toEqual([...needed].sort());
  });

  it('sends interactivity and events to the bot receiver path', () => {
    expect(manifest.settings.interactivity.is_enabled).toBe(true);
    expect(manifest.settings.interactivity.request_url).toMatch(/\/slack\/events$/);
    expect(manifest.settings.event_subscriptions.request_url).toMatch(/\/slack\/events$/);
  });

  it('subscribes to the DM messages the thread-reply listener handles', () => {
    const listener = fs.readFileSync(path.join(ROOT, 'bot/listeners/thread-replies.ts'), 'utf8');
    expect(listener).toMatch(/app\.event\('message'/);
    expect(listener).toMatch(/channel_type !== 'im'/);
    expect(manifest.settings.event_subscriptions.bot_events).toContain('message.im');
  });
});
