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
  'conversations.history': 'im:history', // finding an interview DM again by its metadata (DMs only)
  'users.info': 'users:read',
  'users.lookupByEmail': 'users:read.email',
  'usergroups.users.list': 'usergroups:read',
  'views.open': null,
  'views.update': null,
  'views.publish': null,
};
/** A Bolt `message` listener stands for the manifest's message.<channel type> events it handles; their scopes. */
const MANIFEST_EVENTS: Record<string, string[]> = { message: ['message.im'] };
const SCOPE_FOR_EVENT: Record<string, string> = { 'message.im': 'im:history' };

/** Bolt listeners in bot/ that need something of the manifest: slash commands and events. */
function listenersRegistered(): { commands: Set<string>; events: Set<string> } {
  const commands = new Set<string>();
  const events = new Set<string>();
  const dir = path.join(ROOT, 'bot/listeners');
  for (const file of fs.readdirSync(dir)) {
    const text = fs.readFileSync(path.join(dir, file), 'utf8');
    for (const m of text.matchAll(/app\.command\('([^']+)'/g)) commands.add(m[1]!);
    for (const m of text.matchAll(/app\.event\('([^']+)'/g))
      for (const event of MANIFEST_EVENTS[m[1]!] ?? [m[1]!]) events.add(event);
  }
  return { commands, events };
}

/** Slack Web API methods the code calls (Teams' Bot Connector calls, on a `connector`, are not Slack's). */
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
            .matchAll(/(?<!connector)\.(chat|conversations|users|usergroups|views)\.(\w+(?:\.\w+)?)\(/g))
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

  it('grants a scope for every Web API method the code calls, and no other', () => {
    const methods = methodsCalled();
    expect(methods.size).toBeGreaterThanOrEqual(7);
    const needed = new Set<string>();
    for (const method of methods) {
      expect(Object.keys(SCOPE_FOR_METHOD)).toContain(method); // a new method needs its scope decided here
      const scope = SCOPE_FOR_METHOD[method];
      if (scope) needed.add(scope);
    }
    if (listenersRegistered().commands.size > 0) needed.add('commands');
    for (const event of listenersRegistered().events)
      if (SCOPE_FOR_EVENT[event]) needed.add(SCOPE_FOR_EVENT[event]);
    expect([...scopes].sort()).toEqual([...needed].sort());
  });

  it('declares every slash command and event the bot listens to, sent to the receiver path', () => {
    const { commands, events } = listenersRegistered();
    expect(commands).toEqual(new Set(['/vouch']));
    expect(events).toEqual(new Set(['app_home_opened', 'message.im']));
    const declared = (manifest.features.slash_commands as { command: string; url: string }[]) ?? [];
    expect(new Set(declared.map((c) => c.command))).toEqual(commands);
    for (const c of declared) expect(c.url).toMatch(/\/slack\/events$/);
    expect(new Set(manifest.settings.event_subscriptions.bot_events)).toEqual(events);
    expect(manifest.settings.event_subscriptions.request_url).toMatch(/\/slack\/events$/);
    expect(manifest.features.app_home.home_tab_enabled).toBe(true);
  });

  it('lets employees write in the DM, whose thread replies the bot reads (follow-up answers)', () => {
    const listener = fs.readFileSync(path.join(ROOT, 'bot/listeners/thread-replies.ts'), 'utf8');
    expect(listener).toMatch(/channel_type !== 'im'/); // only DMs: message.im is the one subscription needed
    expect(manifest.features.app_home.messages_tab_enabled).toBe(true);
    expect(manifest.features.app_home.messages_tab_read_only_enabled).toBe(false);
  });

  it('sends interactivity to the bot receiver path', () => {
    expect(manifest.settings.interactivity.is_enabled).toBe(true);
    expect(manifest.settings.interactivity.request_url).toMatch(/\/slack\/events$/);
  });
});
