import type { ChannelName } from '../../shared/channels';
import type { ActivityContext } from '../context';
import { emailChannel } from './email';
import type { AskInput, ChannelRef, EmployeeChannel, RemindInput } from './employee-channel';
import { slackChannel } from './slack';
import { teamsChannel } from './teams';

/** Every channel by name: adding one is a module here and a name in shared/channels.ts. */
export function employeeChannels(ctx: ActivityContext) {
  const byName: Record<ChannelName, EmployeeChannel> = {
    slack: slackChannel(ctx).channel,
    email: emailChannel(ctx),
    teams: teamsChannel(ctx),
  };
  return { get: (name: ChannelName): EmployeeChannel => byName[name] };
}

/** Asking the employee through the channel the workflow chose; the outcome goes through finishInterview. */
export function createChannelActivities(ctx: ActivityContext) {
  const channels = employeeChannels(ctx);
  return {
    async askEmployeeVia(input: AskInput): Promise<ChannelRef> {
      return channels.get(input.channel).ask(input);
    },
    async remindEmployeeVia(input: RemindInput): Promise<void> {
      await channels.get(input.ref.channel).remind(input);
    },
  };
}

export type { ChannelRef } from './employee-channel';
