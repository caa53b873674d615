import {
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import {
  type InterviewRef,
  type RollupAnswer,
  type RollupRequest,
  rollupAnswer,
  rollupEnded,
  rollupMemberJoined,
  rollupRequest,
} from '../shared/rollup';

/**
 * One employee's open interviews, and the alerts waiting for one: decides for each alert whether it
 * leads an interview, joins an open one or waits. Deterministic and bounded: it only keeps books and
 * signals; every slot and every place in the queue lapses after the asking interview's own bound, so
 * an interview that never says it ended cannot hold a slot for ever. The interviews never depend on
 * it for more than a bounded wait (workflows/rollup.ts).
 */

/** Past this many events the coordinator continues as new (far below Temporal's limits). */
const MAX_HISTORY_EVENTS = 1_000;
/** With nothing open and nothing waiting for this long, the coordinator ends (a new alert starts it again). */
const IDLE_MS = 10 * 60_000;

export interface RollupGroup {
  key: string;
  leader: InterviewRef;
  startedAt: number;
  /** The slot lapses then, whatever the leader says. */
  expiresAt: number;
  members: string[];
}

export interface CoordinatorState {
  groups: RollupGroup[];
  queue: (RollupRequest & { expiresAt: number })[];
  /** The last answer per interview, sent again when a request is redelivered. */
  answered: Record<string, RollupAnswer>;
}

type Inbox = ({ request: RollupRequest } | { ended: string })[];

export async function rollupCoordinator(
  state: CoordinatorState = { groups: [], queue: [], answered: {} },
): Promise<void> {
  const inbox: Inbox = [];
  setHandler(rollupRequest, (request) => void inbox.push({ request }));
  setHandler(rollupEnded, ({ workflowId }) => void inbox.push({ ended: workflowId }));
  for (;;) {
    const nextExpiry = Math.min(
      ...state.groups.map((g) => g.expiresAt),
      ...state.queue.map((q) => q.expiresAt),
      Date.now() + IDLE_MS,
    );
    const woken = await condition(() => inbox.length > 0, Math.max(nextExpiry - Date.now(), 1));
    if (!woken && state.groups.length === 0 && state.queue.length === 0) return;
    await handleBatch(state, inbox.splice(0), (again) => inbox.push(again));
    const info = workflowInfo();
    if (inbox.length === 0 && (info.continueAsNewSuggested || info.historyLength > MAX_HISTORY_EVENTS))
      await continueAsNew<typeof rollupCoordinator>(carried(state));
  }
}

/**
 * What the next run needs: the slots, the queue, and the answers of leaders and waiting alerts. A
 * member's answer only serves a redelivered request, which a fresh decision answers the same way
 * (it joins the same interview; the leader counts each member once), so a storm's members are not carried.
 */
function carried(state: CoordinatorState): CoordinatorState {
  const answered = Object.fromEntries(Object.entries(state.answered).filter(([, a]) => a.role !== 'join'));
  return {
    groups: state.groups.map((g) => ({ ...g, members: [] })),
    queue: state.queue,
    answered,
  };
}

type Delivery = { to: InterviewRef; answer: RollupAnswer; request: RollupRequest };

/** Applies a batch of messages to the books, then sends every answer at once. */
async function handleBatch(state: CoordinatorState, batch: Inbox, retry: (m: Inbox[number]) => void) {
  const now = Date.now();
  const deliveries: Delivery[] = [];
  for (const m of batch) {
    if ('ended' in m) endInterview(state, m.ended);
    else {
      const previous = state.answered[m.request.workflowId];
      // A redelivered request (the asking activity retried) gets the answer it had.
      if (previous?.round === m.request.round)
        deliveries.push({ to: m.request, answer: previous, request: m.request });
      else if (!previous || previous.round < m.request.round) deliveries.push(decide(state, m.request, now));
    }
  }
  // Lapsed slots and places free up; the queue moves into every free slot.
  for (const g of state.groups.filter((g) => g.expiresAt <= now)) endInterview(state, g.leader.workflowId);
  state.queue = state.queue.filter((q) => q.expiresAt > now);
  deliveries.push(...drainQueue(state, now));
  for (const d of deliveries) state.answered[d.to.workflowId] = d.answer;
  await Promise.all(deliveries.map((d) => deliver(state, d, retry)));
}

function decide(state: CoordinatorState, r: RollupRequest, now: number): Delivery {
  const placed = place(state, r, now);
  if (placed) return placed;
  state.queue.push({ ...r, expiresAt: now + r.holdMs });
  return {
    to: r,
    request: r,
    answer: { round: r.round, role: 'queued', open: state.groups.length, limit: r.maxOpen },
  };
}

/** Joins an open interview of the same group, or leads one in a free slot; undefined: no room. */
function place(state: CoordinatorState, r: RollupRequest, now: number): Delivery | undefined {
  const group = state.groups.find(
    (g) =>
      g.key === r.key &&
      g.leader.workflowId !== r.workflowId &&
      (r.windowMs === undefined || now - g.startedAt <= r.windowMs),
  );
  if (group) {
    group.members.push(r.workflowId);
    return { to: r, request: r, answer: { round: r.round, role: 'join', leader: group.leader } };
  }
  if (state.groups.length >= r.maxOpen) return undefined;
  state.groups.push({
    key: r.key,
    leader: { workflowId: r.workflowId, alertId: r.alertId },
    startedAt: now,
    expiresAt: now + r.holdMs,
    members: [],
  });
  return { to: r, request: r, answer: { round: r.round, role: 'lead' } };
}

/** Waiting alerts, in the order they came, into the slots (or groups) free now. */
function drainQueue(state: CoordinatorState, now: number): Delivery[] {
  const out: Delivery[] = [];
  state.queue = state.queue.filter((q) => {
    const placed = place(state, q, now);
    if (placed) out.push(placed);
    return !placed;
  });
  return out;
}

/** The interview ended: its slot (and its members' books) or its place in the queue is freed. */
function endInterview(state: CoordinatorState, workflowId: string): void {
  const ending = state.groups.filter((g) => g.leader.workflowId === workflowId);
  state.groups = state.groups.filter((g) => g.leader.workflowId !== workflowId);
  for (const g of ending) for (const m of g.members) delete state.answered[m];
  state.queue = state.queue.filter((q) => q.workflowId !== workflowId);
  delete state.answered[workflowId];
}

/**
 * A join is told to the leader first: only a leader that took the member tells it its outcome. A
 * leader that is gone ends its group, and the member asks again; an asker that is gone frees its slot.
 * Both go back into the inbox, so the next batch (at once) frees the slot and moves the queue.
 */
async function deliver(state: CoordinatorState, d: Delivery, retry: (m: Inbox[number]) => void) {
  if (d.answer.role === 'join' && d.answer.leader) {
    try {
      await getExternalWorkflowHandle(d.answer.leader.workflowId).signal(rollupMemberJoined, {
        workflowId: d.to.workflowId,
        alertId: d.to.alertId,
      });
    } catch {
      delete state.answered[d.to.workflowId];
      retry({ ended: d.answer.leader.workflowId });
      retry({ request: d.request });
      return;
    }
  }
  try {
    await getExternalWorkflowHandle(d.to.workflowId).signal(rollupAnswer, d.answer);
  } catch {
    retry({ ended: d.to.workflowId });
  }
}
