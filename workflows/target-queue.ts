/**
 * The queue of a table's lock (workflows/target-lock.ts), as pure functions over plain JSON: who
 * holds the table, who waits, in arrival order. An exclusive job holds it alone; non-exclusive
 * (`batch.exclusive: false`) jobs hold it together. Strictly first come, first served: a shared
 * request behind a waiting exclusive one waits too, so that neither kind starves the other.
 * Every change returns the new state and the notices to send (a grant, or whom a job waits for).
 */

export interface TargetRequest {
  /** The requesting job's workflow id (= job id). */
  workflowId: string;
  /** `batch.exclusive: false`: may hold the table together with other shared jobs. */
  shared: boolean;
  /**
   * Sent by `ferry jobs resume` for a job it is about to reset: the job's workflow is closed until
   * then, so a notice that cannot be delivered does not drop the request (the grant is sent again
   * when the reset run asks).
   */
  resume?: boolean;
}

export interface Holder extends TargetRequest {
  /** Workflow time (ms) of the grant: a holder is checked for liveness only after GRACE_MS. */
  since: number;
}

export interface TargetQueueState {
  holders: Holder[];
  waiting: TargetRequest[];
  /** The blocker each waiting job was last told about, so that it is told again only when that changes. */
  told: Record<string, string>;
}

export type Notice = { kind: 'granted'; workflowId: string } | { kind: 'waiting'; workflowId: string; blocker: string };

export interface Change {
  state: TargetQueueState;
  notices: Notice[];
}

/** A holder found not running is dropped only when granted at least this long ago (a resumed job is reset right after its grant). */
export const GRACE_MS = 60_000;

export function emptyQueue(): TargetQueueState {
  return { holders: [], waiting: [], told: {} };
}

export function isIdle(state: TargetQueueState): boolean {
  return state.holders.length === 0 && state.waiting.length === 0;
}

/**
 * A job asks for the table. A holder asking again (a retried request, a reset run) is granted
 * again; a job already waiting keeps its place; any other joins the end of the queue. A resume
 * request for a job already there (its run ended without releasing) marks it as resumed, and a
 * holder's grace starts again, so that the reset to come finds it still holding.
 */
export function request(state: TargetQueueState, req: TargetRequest, now: number): Change {
  const known = (e: TargetRequest): boolean => e.workflowId === req.workflowId;
  const next = req.resume ? resumed(state, req.workflowId, now) : state;
  if (state.holders.some(known)) return { state: next, notices: [{ kind: 'granted', workflowId: req.workflowId }] };
  if (state.waiting.some(known)) return { state: next, notices: [] };
  const entry: TargetRequest = { workflowId: req.workflowId, shared: req.shared, ...(req.resume ? { resume: true } : {}) };
  return promote({ ...state, waiting: [...state.waiting, entry] }, now);
}

/** A job lets go of the table (it ended), or stops waiting for it (cancelled): the next ones in line get it. */
export function release(state: TargetQueueState, workflowId: string, now: number): Change {
  const { [workflowId]: _told, ...told } = state.told;
  const holders = state.holders.filter((h) => h.workflowId !== workflowId);
  const waiting = state.waiting.filter((w) => w.workflowId !== workflowId);
  if (holders.length === state.holders.length && waiting.length === state.waiting.length) return { state, notices: [] };
  return promote({ holders, waiting, told }, now);
}

/**
 * A notice could not be delivered: the job's workflow is closed (terminated, or gone), so it is
 * released — unless `jobs resume` asked for it, whose workflow opens again when it is reset.
 * A delivered grant ends the resume exemption: from then on the job is an ordinary holder.
 */
export function delivered(state: TargetQueueState, notice: Notice, ok: boolean, now: number): Change {
  const entry = [...state.holders, ...state.waiting].find((e) => e.workflowId === notice.workflowId);
  if (!entry) return { state, notices: [] };
  if (!ok) return entry.resume ? { state, notices: [] } : release(state, notice.workflowId, now);
  if (notice.kind !== 'granted' || !entry.resume) return { state, notices: [] };
  const holders = state.holders.map((h) => (h.workflowId === notice.workflowId ? { workflowId: h.workflowId, shared: h.shared, since: h.since } : h));
  return { state: { ...state, holders }, notices: [] };
}

/** The holders a liveness check should ask about: those granted at least GRACE_MS ago. */
export function holdersToCheck(state: TargetQueueState, now: number): string[] {
  return state.holders.filter((h) => now - h.since >= GRACE_MS).map((h) => h.workflowId);
}

/** Drops the checked holders whose workflow is no longer running (terminated, timed out, or ended without releasing). */
export function dropStopped(state: TargetQueueState, checked: string[], running: string[], now: number): Change {
  const stopped = checked.filter((id) => !running.includes(id));
  let change: Change = { state, notices: [] };
  for (const id of stopped) {
    const next = release(change.state, id, now);
    change = { state: next.state, notices: [...change.notices, ...next.notices] };
  }
  return change;
}

/**
 * Grants the table to the head of the queue while it can hold it alongside the current holders,
 * then tells each job still waiting whom it waits for (the oldest holder), if that changed.
 */
function promote(state: TargetQueueState, now: number): Change {
  const holders = [...state.holders];
  const waiting = [...state.waiting];
  const told = { ...state.told };
  const notices: Notice[] = [];
  for (let head = waiting[0]; head && canJoin(holders, head); head = waiting[0]) {
    waiting.shift();
    holders.push({ ...head, since: now });
    delete told[head.workflowId];
    notices.push({ kind: 'granted', workflowId: head.workflowId });
  }
  const blocker = holders[0]?.workflowId;
  for (const w of waiting) {
    if (!blocker || told[w.workflowId] === blocker) continue;
    told[w.workflowId] = blocker;
    notices.push({ kind: 'waiting', workflowId: w.workflowId, blocker });
  }
  return { state: { holders, waiting, told }, notices };
}

/** Marks a job already holding or waiting as resumed; a holder's grace starts again. */
function resumed(state: TargetQueueState, workflowId: string, now: number): TargetQueueState {
  return {
    ...state,
    holders: state.holders.map((h) => (h.workflowId === workflowId ? { ...h, resume: true, since: now } : h)),
    waiting: state.waiting.map((w) => (w.workflowId === workflowId ? { ...w, resume: true } : w)),
  };
}

function canJoin(holders: Holder[], req: TargetRequest): boolean {
  return holders.length === 0 || (req.shared && holders.every((h) => h.shared));
}
