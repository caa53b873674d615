import type { CommandStartedEvent } from 'mongodb';

/**
 * What the stack's own clients report while an interview runs: each MongoDB command sent (by command
 * and collection) and each wait for Slack budget. The profile runs interviews one at a time, so what
 * is counted between two snapshots belongs to the interview in between.
 */
export class ProfileProbe {
  private commands = new Map<string, number>();
  private slackWaits = 0;
  private slackWaitedMs = 0;

  readonly onCommand = (event: CommandStartedEvent): void => {
    const target = event.command[event.commandName];
    const key = typeof target === 'string' ? `${event.commandName} ${target}` : event.commandName;
    this.commands.set(key, (this.commands.get(key) ?? 0) + 1);
  };

  readonly onSlackWait = (_method: string, ms: number): void => {
    this.slackWaits += 1;
    this.slackWaitedMs += ms;
  };

  /** The counts so far; `since` subtracts an earlier snapshot. */
  snapshot(since?: ProbeSnapshot): ProbeSnapshot {
    const commands = new Map(this.commands);
    if (since) for (const [k, n] of since.commands) commands.set(k, (commands.get(k) ?? 0) - n);
    for (const [k, n] of commands) if (n === 0) commands.delete(k);
    return {
      commands,
      slackWaits: this.slackWaits - (since?.slackWaits ?? 0),
      slackWaitedMs: this.slackWaitedMs - (since?.slackWaitedMs ?? 0),
    };
  }
}

export interface ProbeSnapshot {
  commands: Map<string, number>;
  slackWaits: number;
  slackWaitedMs: number;
}

export const roundTrips = (s: ProbeSnapshot) => [...s.commands.values()].reduce((a, b) => a + b, 0);
