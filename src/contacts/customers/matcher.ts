import { randomUUID } from "node:crypto";
import type { Change, CustomerLink, CustomerRecord, Provider } from "../../domain/index.ts";
import { nodeIdOf, parseNodeId } from "../../domain/index.ts";
import type { ChangeSource, CustomerStore, CustomerWrite, StoredDecision } from "../../ports.ts";
import {
  type CandidateChange,
  CandidateIndex,
  type CustomerGroup,
  type ManualDecisions,
  type MatchResult,
  matchCustomers,
  rematch,
  toCandidate,
} from "./match.ts";

/**
 * Keeps the store's customer links up to date (issue 16). One instance matches — the one holding
 * the `customers` lease — with the candidates in memory: at start it matches every record the
 * store holds, then follows the change log, re-evaluating only the records a change touches
 * (`rematch`). Manual decisions are rows in the store, so any instance can take one: the matcher
 * applies it (at once when it is this instance, else at its next poll) and the decision's
 * `applied` flag tells the instance that took it.
 *
 * Customer ids are stable: a regrouped customer keeps the id most of its records had (the oldest
 * on a tie), so a merge keeps the larger customer's id and a split keeps it for the larger part.
 */

export interface CustomerMatcherOptions {
  store: CustomerStore;
  changes: Pick<ChangeSource, "list" | "head">;
  /** The providers whose records the store holds: the others' rows, if any, are not theirs to match. */
  providers: readonly Provider[];
  warn(message: string): void;
  /** How often the log and the decisions are read, and a waiting instance asks for the lease (default 1 s). */
  pollIntervalMs?: number;
  /** How long the lease lasts unless renewed; renewed every third of it. */
  leaseTtlMs?: number;
}

export interface CustomerMatcher {
  /** Records a manual decision and resolves once the matcher applied it. */
  decide(decision: Pick<StoredDecision, "kind" | "nodeIds" | "from" | "madeBy">): Promise<void>;
  /** Matches what changed since the last read of the log now (tests, and a write that wants its link at once). */
  catchUp(): Promise<void>;
  /** Whether this instance holds the lease, and so matches. */
  readonly matching: boolean;
  stop(): Promise<void>;
}

/** How long `decide` waits for another instance to apply a decision before it gives up. */
const APPLY_WAIT_MS = 30_000;
const LOG_BATCH = 500;

interface Held {
  index: CandidateIndex;
  result: MatchResult;
  /** The links as written: what ids and link times carry over from. */
  links: Map<string, CustomerLink>;
  decisions: StoredDecision[];
  through: number;
}

/** The record a change is about, as matching names it; null for what no customer holds (entries, notes). */
function changedNodeId(change: Change): string | null {
  switch (change.typename) {
    case "Company":
    case "MoneybirdContact":
    case "FreeAgentContact":
      return nodeIdOf(change.typename, change.remoteId);
    case "ContactPerson":
      // A person's addresses are its contact's evidence.
      return nodeIdOf("MoneybirdContact", change.remoteId.split("/")[0] ?? "");
    default:
      return null;
  }
}

const toDecisions = (decisions: readonly StoredDecision[]): ManualDecisions => ({
  links: decisions.filter((d) => d.kind === "LINK").map((d) => ({ nodeIds: d.nodeIds, at: d.madeAt })),
  unlinks: decisions
    .filter((d) => d.kind === "UNLINK")
    .map((d) => ({ nodeId: d.nodeIds[0] as string, from: d.from, at: d.madeAt })),
});

/** A link as compared between writes: everything but where and when it was made. */
const linkEvidence = (link: Omit<CustomerLink, "customerId" | "linkedAt">) =>
  JSON.stringify([link.matchedBy, link.confidence, link.manual, link.pairs, link.conflicts]);

/**
 * The writes for `groups`: each keeps the id most of its records had (larger groups choose first),
 * its records keep their link time when their customer did not change, and a group written
 * exactly as stored is left out. The ids no group keeps are removed.
 */
function plan(groups: readonly CustomerGroup[], held: Pick<Held, "links">, now: string) {
  const claimed = new Set<string>();
  const before = new Set<string>();
  // A stored customer with records beyond the group's (a part split off) is rewritten.
  const storedSize = new Map<string, number>();
  for (const link of held.links.values())
    storedSize.set(link.customerId, (storedSize.get(link.customerId) ?? 0) + 1);
  const customers: CustomerWrite[] = [];
  const bySize = [...groups].sort((x, y) => y.nodeIds.length - x.nodeIds.length || (x.key < y.key ? -1 : 1));
  for (const group of bySize) {
    const votes = new Map<string, number>();
    for (const nodeId of group.nodeIds) {
      const id = held.links.get(nodeId)?.customerId;
      if (id === undefined) continue;
      before.add(id);
      votes.set(id, (votes.get(id) ?? 0) + 1);
    }
    const [id = null] = [...votes]
      .filter(([candidate]) => !claimed.has(candidate))
      .sort(([x, a], [y, b]) => b - a || Number(x) - Number(y))
      .map(([candidate]) => candidate);
    if (id !== null) claimed.add(id);
    const links = group.links.map((link) => {
      const stored = held.links.get(link.nodeId);
      return {
        nodeId: link.nodeId,
        provider: link.provider,
        kind: link.kind,
        recordId: parseNodeId(link.nodeId).id,
        matchedBy: link.matchedBy,
        confidence: link.confidence,
        manual: link.manual,
        linkedAt: stored && stored.customerId === id ? stored.linkedAt : now,
        pairs: link.pairs,
        conflicts: link.conflicts,
      };
    });
    const unchanged =
      id !== null &&
      votes.get(id) === group.nodeIds.length &&
      storedSize.get(id) === group.nodeIds.length &&
      links.every((link) => {
        const stored = held.links.get(link.nodeId);
        return stored !== undefined && linkEvidence(stored) === linkEvidence(link);
      });
    if (unchanged) continue;
    const providers = [...new Set(group.links.map((link) => link.provider))];
    customers.push({
      key: group.key,
      id,
      displayName: group.displayName,
      providers,
      conflicts: group.conflicts,
      links,
    });
  }
  return { customers, removedCustomerIds: [...before].filter((id) => !claimed.has(id)) };
}

export async function startCustomerMatcher(options: CustomerMatcherOptions): Promise<CustomerMatcher> {
  const { store, changes, providers, warn } = options;
  const pollIntervalMs = options.pollIntervalMs ?? 1000;
  const leaseTtlMs = options.leaseTtlMs ?? 15_000;
  const holder = randomUUID();
  let held: Held | null = null;
  let renewedAt = 0;
  let stopped = false;
  let queue: Promise<unknown> = Promise.resolve();
  let lastMadeAt = 0;

  /** One operation at a time: a tick, a decision, a catch-up. */
  const serial = <T>(operation: () => Promise<T>): Promise<T> => {
    const run = queue.then(operation, operation);
    queue = run.catch(() => {});
    return run;
  };

  const candidatesOf = async (nodeIds: readonly string[]): Promise<CandidateChange[]> => {
    const records = await store.records(nodeIds);
    return nodeIds.map((nodeId, i) => {
      const record = records[i] as CustomerRecord | null;
      return record && providers.includes(toCandidate(record).provider)
        ? toCandidate(record)
        : { nodeId, removed: true as const };
    });
  };

  async function save(
    state: Held,
    groups: readonly CustomerGroup[],
    removedNodeIds: readonly string[],
    applied: readonly string[],
  ): Promise<boolean> {
    const now = new Date().toISOString();
    const { customers, removedCustomerIds } = plan(groups, state, now);
    const gone = removedNodeIds.filter((nodeId) => state.links.has(nodeId));
    const ids = await store.write(holder, {
      customers,
      removedCustomerIds,
      removedNodeIds: gone,
      appliedDecisionIds: applied,
      throughSequence: state.through,
    });
    if (ids === null) return false;
    renewedAt = Date.now();
    for (const nodeId of gone) state.links.delete(nodeId);
    for (const customer of customers) {
      const customerId = ids.get(customer.key) as string;
      for (const link of customer.links) state.links.set(link.nodeId, { ...link, customerId });
    }
    return true;
  }

  /** Every record matched afresh against what is stored: at start, and when this instance takes over. */
  async function matchAll(): Promise<void> {
    const through = await changes.head();
    const records = await store.allRecords(providers);
    const stored = await store.state();
    const decisions = await store.decisions();
    const index = new CandidateIndex(records.map(toCandidate));
    const result = matchCustomers(index, { decisions: toDecisions(decisions) });
    const state: Held = { index, result, links: stored.links, decisions, through };
    const removed = [...stored.links.keys()].filter((nodeId) => !index.get(nodeId));
    const applied = decisions.filter((d) => !d.applied).map((d) => d.id);
    if (await save(state, [...result.customers.values()], removed, applied)) held = state;
  }

  /** The changes since the last read and the decisions not yet applied, matched incrementally. */
  async function follow(state: Held): Promise<void> {
    for (;;) {
      const page = await changes.list(state.through, LOG_BATCH);
      const pending = (await store.hasUnappliedDecisions())
        ? (await store.decisions()).filter((d) => !d.applied)
        : [];
      if (page.changes.length === 0 && pending.length === 0) return;
      const touched = new Set<string>();
      for (const change of page.changes) {
        const nodeId = providers.includes(change.provider) ? changedNodeId(change) : null;
        if (nodeId) touched.add(nodeId);
      }
      for (const decision of pending)
        for (const nodeId of [...decision.nodeIds, decision.from ?? []].flat()) touched.add(nodeId);
      const decisions = pending.length > 0 ? await store.decisions() : state.decisions;
      const changed = await candidatesOf([...touched]);
      state.result = rematch(state.result, changed, state.index, toDecisions(decisions));
      state.decisions = decisions;
      state.through = page.changes.at(-1)?.sequence ?? state.through;
      const groups = state.result.written.flatMap((key) => state.result.customers.get(key) ?? []);
      const removed = changed.filter((change) => "removed" in change).map((change) => change.nodeId);
      if (
        !(await save(
          state,
          groups,
          removed,
          pending.map((d) => d.id),
        ))
      ) {
        held = null;
        return;
      }
      if (!page.hasNextPage && pending.length === 0) return;
    }
  }

  async function tick(): Promise<void> {
    if (stopped) return;
    if (held === null) {
      if (await store.lease(holder, leaseTtlMs)) {
        renewedAt = Date.now();
        await matchAll();
      }
      return;
    }
    if (Date.now() - renewedAt > leaseTtlMs / 3) {
      if (!(await store.lease(holder, leaseTtlMs))) {
        held = null;
        return;
      }
      renewedAt = Date.now();
    }
    await follow(held);
  }

  const runTick = () =>
    serial(tick).catch((error: Error) => {
      // The next tick starts over from what is stored: nothing half-applied is kept in memory.
      held = null;
      warn(`customers: matching failed (${error.message}); retrying`);
    });

  await runTick();
  const timer = setInterval(() => void runTick(), pollIntervalMs);
  timer.unref();

  async function waitApplied(id: string): Promise<void> {
    const deadline = Date.now() + APPLY_WAIT_MS;
    while (!(await store.isApplied(id))) {
      if (Date.now() > deadline) {
        throw new Error(
          `the manual decision ${id} is recorded but no instance applied it within ${APPLY_WAIT_MS / 1000} s`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, Math.min(100, pollIntervalMs)));
    }
  }

  return {
    get matching() {
      return held !== null;
    },
    async decide(decision) {
      // Decisions replay in `madeAt` order: one instance's are strictly increasing.
      lastMadeAt = Math.max(Date.now(), lastMadeAt + 1);
      const id = randomUUID();
      await store.addDecision({ ...decision, id, madeAt: new Date(lastMadeAt).toISOString() });
      await runTick();
      await waitApplied(id);
    },
    catchUp: () => runTick(),
    async stop() {
      stopped = true;
      clearInterval(timer);
      await queue;
      await store.release(holder).catch(() => {});
    },
  };
}
