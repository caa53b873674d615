import type { Logger } from '../lib/logger';
import type { HeldSignal } from '../store/collections';
import type { HeldAnswerStore } from '../store/held-answers';
import { type InterviewGateway, InterviewNotFoundError } from './interviews';

type Signals = Pick<InterviewGateway, 'respond' | 'reply' | 'managerRespond'>;

/** How often the bot tries again to deliver what it holds, and how many answers one round takes. */
export const HELD_RETRY_EVERY_MS = 15_000;
const ROUND = 100;

/** `held`: kept, to be delivered later; `lost`: neither delivered nor kept (the person must try again). */
export type Delivery = 'sent' | 'held' | 'lost';

function send(interviews: Signals, workflowId: string, held: HeldSignal): Promise<void> {
  switch (held.signal) {
    case 'employeeResponse':
      return interviews.respond(workflowId, held.payload);
    case 'employeeReply':
      return interviews.reply(workflowId, held.payload);
    case 'managerResponse':
      return interviews.managerRespond(workflowId, held.payload);
  }
}

/**
 * Employees' and managers' answers, from Slack or the Teams chat, that Temporal could not take
 * (unreachable, or a call cut off by its deadline) are kept in MongoDB and delivered when it is back:
 * at the bot's start (what an outage, a crash or a restart left) and then every 15 s. Each answer
 * carries its own signal id, made from the channel's own ids (Slack's message ts and user, Teams'
 * activity id), and the interview applies an id once: an answer delivered both before and after a
 * crash, or held twice because Slack or Teams redelivered it, counts once.
 */
export function heldAnswers(deps: {
  store: HeldAnswerStore;
  interviews: Signals;
  logger: Logger;
  now?: () => Date;
}) {
  const now = deps.now ?? (() => new Date());

  /**
   * Sends an answer to its interview, or keeps it when Temporal does not take it now. An interview
   * that does not exist still throws InterviewNotFoundError: there is nothing to keep it for.
   */
  async function deliverOrHold(workflowId: string, held: HeldSignal): Promise<Delivery> {
    try {
      await send(deps.interviews, workflowId, held);
      return 'sent';
    } catch (err) {
      if (err instanceof InterviewNotFoundError) throw err;
      deps.logger.warn(
        { err, workflowId, signal: held.signal },
        'Temporal did not take an answer: holding it',
      );
    }
    try {
      await deps.store.hold(workflowId, held, now());
      return 'held';
    } catch (err) {
      deps.logger.error(
        { err, workflowId, signal: held.signal },
        'an answer could be neither delivered nor held',
      );
      return 'lost';
    }
  }

  /** Delivers the held answers, oldest first, until Temporal fails again. */
  async function deliverHeld(): Promise<{ delivered: number; dropped: number; waiting: boolean }> {
    const done = { delivered: 0, dropped: 0, waiting: false };
    for (const doc of await deps.store.oldest(ROUND)) {
      try {
        await send(deps.interviews, doc.workflowId, doc);
        done.delivered++;
      } catch (err) {
        if (!(err instanceof InterviewNotFoundError)) {
          await deps.store.stillHeld(doc._id);
          return { ...done, waiting: true };
        }
        // Temporal refuses signals to a finished interview: it ended (an operator, a cancellation) before this came.
        deps.logger.warn(
          { workflowId: doc.workflowId, signal: doc.signal, heldAt: doc.heldAt },
          'a held answer came after its interview had ended: not delivered',
        );
        done.dropped++;
      }
      await deps.store.delivered(doc._id);
    }
    return done;
  }

  /** Delivers what is held now and then every `everyMs`; the returned function stops it. */
  function start(everyMs = HELD_RETRY_EVERY_MS): () => void {
    let round: Promise<void> | undefined;
    const deliver = () => {
      round ??= deliverHeld()
        .then((n) => {
          if (n.delivered + n.dropped > 0)
            deps.logger.info(n, 'delivered answers held while Temporal was unreachable');
        })
        .catch((err: unknown) => deps.logger.warn({ err }, 'could not read the held answers'))
        .finally(() => {
          round = undefined;
        });
    };
    deliver();
    const timer = setInterval(deliver, everyMs);
    timer.unref();
    return () => clearInterval(timer);
  }

  return { deliverOrHold, deliverHeld, start };
}

export type HeldAnswers = ReturnType<typeof heldAnswers>;
