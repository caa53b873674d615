import type { CommandFailedEvent, CommandStartedEvent, CommandSucceededEvent } from 'mongodb';

/**
 * What the stack's own clients report while an interview runs: each MongoDB command sent (by command
 * and collection) with the time to its answer, and each wait for Slack budget. The profile runs interviews one at a time, so what
 * is counted between two snapshots belongs to the interview in between.
 */
export class ProfileProbe {
  private commands = new Map<string, number>();
  private commandMs = new Map<string, number>();
  private inFlight = new Map<number, string>();
  private slackWaits = 0;
  private slackWaitedMs = 0;

  readonly onCommand = (event: CommandStartedEvent | CommandSucceededEvent | CommandFailedEvent): void => {
    if ('command' in event) {
      const target = event.command[event.commandName];
      const key = typeof target === 'string' ? `${event.commandName} ${target}` : event.commandName;
      this.commands.set(key, (this.commands.get(key) ?? 0) + 1);
      this.inFlight.set(event.requestId, key);
      return;
    }
    const key = this.inFlight.get(event.requestId);
    if (key === undefined) return;
    this.inFlight.delete(event.requestId);
    this.commandMs.set(key, (this.commandMs.get(key) ?? 0) + event.duration);
  };

  /** Each wait as [start, end] in Date.now() time, for the waits within a span. */
  private waitSpans: [number, number][] = [];

  readonly onSlackWait = (_method: string, ms: number): void => {
    this.slackWaits += 1;
    this.slackWaitedMs += ms;
    const start = Date.now();
    this.waitSpans.push([start, start + ms]);
  };

  /**
   * How much of [from, to] was spent with at least one Slack call waiting for budget: the part of a
   * span that waits bound, not waits that ran on after it (an escalation post after the DM's update).
   */
  slackWaitWithin(from: number, to: number): number {
    const spans = this.waitSpans
      .map(([a, b]): [number, number] => [Math.max(a, from), Math.min(b, to)])
      .filter(([a, b]) => b > a)
      .sort((x, y) => x[0] - y[0]);
    let total = 0;
    let reached = from;
    for (const [a, b] of spans) {
      if (b <= reached) continue;
      total += b - Math.max(a, reached);
      reached = b;
    }
    return total;
  }

  /** The counts so far; `since` subtracts an earlier snapshot. */
  snapshot(since?: ProbeSnapshot): ProbeSnapshot {
    return {
      commands: minus(this.commands, since?.commands),
      commandMs: minus(this.commandMs, since?.commandMs),
      slackWaits: this.slackWaits - (since?.slackWaits ?? 0),
      slackWaitedMs: this.slackWaitedMs - (since?.slackWaitedMs ?? 0),
    };
  }
}

function minus(now: Map<string, number>, before?: Map<string, number>): Map<string, number> {
  const out = new Map(now);
  if (before) for (const [k, n] of before) out.set(k, (out.get(k) ?? 0) - n);
  for (const [k, n] of out) if (n === 0) out.delete(k);
  return out;
}

export interface ProbeSnapshot {
  commands: Map<string, number>;
  /** Time from each command to its answer, summed by command. */
  commandMs: Map<string, number>;
  slackWaits: number;
  slackWaitedMs: number;
}

export const roundTrips = (s: ProbeSnapshot) => [...s.commands.values()].reduce((a, b) => a + b, 0);
