import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import type { Provider } from "../domain/index.ts";
import { requestScope, runInScope } from "../http/request-scope.ts";
import type { MirrorState, MirrorStore } from "../ports.ts";
import { createRound, LeaseLostError, type Round } from "./round.ts";

/** How long one round may take at most, budget waits included; past it the round fails and the next one resumes. */
const ROUND_DEADLINE_MS = 60 * 60 * 1000;

export interface MirrorTimings {
  /** Between the starts of two rounds of a provider. */
  intervalMs: number;
  /** Between two sweeps (full listings) of a provider whose change feed tells no deletions. */
  sweepIntervalMs: number;
  /**
   * How often the lease is renewed and the mirror's state re-read: min(interval, 5 s). The lease
   * lasts three of them, so an instance that dies is replaced within four.
   */
  heartbeatMs: number;
}

export function mirrorTimings(intervalSeconds: number, sweepIntervalSeconds: number): MirrorTimings {
  const intervalMs = intervalSeconds * 1000;
  return {
    intervalMs,
    sweepIntervalMs: sweepIntervalSeconds * 1000,
    heartbeatMs: Math.min(intervalMs, 5000),
  };
}

export const leaseTtlMs = (timings: MirrorTimings) => timings.heartbeatMs * 3;

/** One provider's round: what it reads live, written through the round. */
export type ProviderSync = (round: Round) => Promise<void>;

/** The mirror's state as one instance knows it: re-read every heartbeat, and at once after its own writes. */
export interface MirrorStatus {
  /** The providers the mirror keeps. */
  readonly providers: readonly Provider[];
  /** Epoch ms of the provider's last completed round; null: never (or not mirrored). */
  syncedAt(provider: Provider): number | null;
  state(provider: Provider): MirrorState | null;
  /** Whether this instance holds the lease: it is the one syncing. */
  syncing(): boolean;
}

export interface MirrorSync {
  status: MirrorStatus;
  /** Re-reads the mirror's state now (tests, after a round). */
  refresh(): Promise<void>;
  /** Stops syncing and gives the lease up, so another instance takes over at once. */
  stop(): Promise<void>;
}

export interface MirrorSyncOptions {
  store: MirrorStore;
  syncs: Partial<Record<Provider, ProviderSync>>;
  timings: MirrorTimings;
  warn(message: string): void;
}

/**
 * Keeps the mirror in sync: one loop per provider, each running a round every interval while this
 * instance holds the lease (instances sharing a store compete for it; the holder renews it every
 * heartbeat, and it passes to another once it has not for three). Rounds run in a background
 * scope: they spend at most MIRROR_BUDGET_SHARE of the provider's rate budget and wait while a
 * client's request waits (src/http/rate-budget.ts).
 */
export async function startMirrorSync({
  store,
  syncs,
  timings,
  warn,
}: MirrorSyncOptions): Promise<MirrorSync> {
  const holder = randomUUID();
  const providers = Object.keys(syncs) as Provider[];
  const stopping = new AbortController();
  let states = new Map<Provider, MirrorState>();
  let holding = false;
  const wakeLoops: (() => void)[] = [];

  async function refresh(): Promise<void> {
    states = new Map((await store.states()).map((state) => [state.provider, state]));
  }

  async function heartbeat(): Promise<void> {
    const held = holding;
    try {
      holding = await store.lease(holder, leaseTtlMs(timings));
      await refresh();
    } catch (error) {
      // The store unreachable: this instance cannot tell whether it still holds the lease, so it stops writing.
      holding = false;
      warn(`mirror: the store did not answer the heartbeat (${(error as Error).message})`);
    }
    if (holding && !held) for (const wake of wakeLoops.splice(0)) wake();
  }

  const untilHolding = () =>
    holding ? Promise.resolve() : new Promise<void>((resolve) => wakeLoops.push(resolve));

  async function runRound(provider: Provider, sync: ProviderSync): Promise<void> {
    const state = states.get(provider) ?? null;
    // Due a tenth of an interval early: rounds start one interval apart, and a timer that fires a
    // millisecond before the wall clock says the interval is over must not put the sweep off a round.
    const sweep =
      state?.sweptAt == null ||
      Date.now() - state.sweptAt >= timings.sweepIntervalMs - timings.intervalMs / 10;
    const round = createRound(store, holder, provider, state, sweep);
    const scope = {
      ...requestScope(
        ROUND_DEADLINE_MS,
        stopping.signal,
        `mirror-${provider.toLowerCase()}-${round.startedAt}`,
      ),
      background: true,
    };
    try {
      await runInScope(scope, () => sync(round));
    } catch (error) {
      if (stopping.signal.aborted) return;
      if (error instanceof LeaseLostError) {
        holding = false;
        return;
      }
      const message = (error as Error).message;
      warn(`mirror: the ${provider} round failed (${message}); the next round resumes`);
      await store.recordFailure(holder, provider, message, round.startedAt).catch(() => {});
    } finally {
      await refresh().catch(() => {});
    }
  }

  async function loop(provider: Provider, sync: ProviderSync): Promise<void> {
    while (!stopping.signal.aborted) {
      await untilHolding();
      if (stopping.signal.aborted) return;
      const started = Date.now();
      await runRound(provider, sync);
      const rest = started + timings.intervalMs - Date.now();
      if (rest > 0) await sleep(rest, undefined, { signal: stopping.signal }).catch(() => {});
    }
  }

  await heartbeat();
  const beating = setInterval(() => void heartbeat(), timings.heartbeatMs);
  const loops = Object.entries(syncs).map(([provider, sync]) => loop(provider as Provider, sync));

  return {
    status: {
      providers,
      syncedAt: (provider) => states.get(provider)?.syncedAt ?? null,
      state: (provider) => states.get(provider) ?? null,
      syncing: () => holding,
    },
    refresh,
    async stop() {
      clearInterval(beating);
      stopping.abort(new Error("the gateway is shutting down"));
      for (const wake of wakeLoops.splice(0)) wake();
      await Promise.all(loops);
      if (holding) await store.release(holder).catch(() => {});
      holding = false;
    },
  };
}
