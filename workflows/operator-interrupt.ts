import { condition } from '@temporalio/workflow';
import type { OperatorAction } from '../shared/messages';
import { isSubject, refuseSelfAction } from './authority';
import type { Interview } from './interview-state';

/** An operator's action that ends the interview, unwinding whatever it was waiting for. */
export class OperatorInterrupt extends Error {
  override readonly name = 'OperatorInterrupt';
  constructor(readonly action: OperatorAction) {
    super(`operator ${action.operator}: ${action.action}`);
  }
}

/** Waits for `done` (or the timeout); an operator's ending action interrupts any wait. */
export async function waitFor(iv: Interview, done: () => boolean, timeoutMs?: number): Promise<boolean> {
  const until = timeoutMs === undefined ? undefined : Date.now() + timeoutMs;
  for (;;) {
    const met = await (until === undefined
      ? condition(() => done() || iv.interrupt !== undefined).then(() => true)
      : condition(() => done() || iv.interrupt !== undefined, Math.max(until - Date.now(), 1)));
    // An action that came before the employee was known is checked again now that they are.
    if (iv.interrupt && iv.patches.guarded && isSubject(iv, iv.interrupt.operator)) {
      refuseSelfAction(iv, iv.interrupt);
      iv.interrupt = undefined;
      if (met && !done() && (until === undefined || until > Date.now())) continue;
      return done();
    }
    if (iv.interrupt) throw new OperatorInterrupt(iv.interrupt);
    return met;
  }
}
