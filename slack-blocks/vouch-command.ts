import { escapeMrkdwn } from '../shared/slack-text';

/** The ephemeral replies to `/vouch` (its status reply is ./home.ts statusText). */

export const HELP = [
  '*Vouch* asks you to confirm security alerts about your account.',
  '• `/vouch status`: your open checks and recent outcomes',
  '• `/vouch enroll`: set up (or replace) your second factor, through a link that works once',
  '• `/vouch help`: this message',
].join('\n');

/** Help, after saying which subcommand was not understood (shown in code, so it stays inert). */
export function helpReply(unknown?: string): string {
  return unknown === undefined
    ? HELP
    : `I don't know \`${escapeMrkdwn(unknown.replace(/`/g, "'"))}\`.\n${HELP}`;
}

export const ENROLL_NEEDS_OPERATOR =
  'Setting up a second factor from Slack needs a security operator, and none is configured here. Ask your security team to enroll you in person (`vouch enroll`).';

/** The single-use enrollment link; never a secret. */
export function enrollLinkReply(url: string, ttlMinutes: number): string {
  return (
    `Open this link in your browser to set up your second factor: ${url}\n` +
    `It works once, in one browser, for ${ttlMinutes} minutes. A security operator will ` +
    'contact you on a trusted channel (a call or a video meeting) to check a pairing code shown on that ' +
    'page before the key appears. Never share that page or the key with anyone.'
  );
}
