import { AsyncLocalStorage } from "node:async_hooks";

/**
 * What one GraphQL request allows the upstream work it causes, and what it learns of that work: a
 * deadline, a signal that aborts when the deadline passes or the client goes away, the request's
 * id and its upstream calls so far. It travels with the request's async context (loaders batch
 * within it), so every upstream call and every wait for the rate budget sees it without the ports
 * taking it as an argument.
 */
export interface RequestScope {
  signal: AbortSignal;
  /** Epoch milliseconds. */
  deadlineAt: number;
  /** Names the request in the gateway's logs and, as `x-request-id`, in the upstreams' own. */
  requestId: string | null;
  /** The upstream calls (attempts) the request made so far, by provider: what its log line reports. */
  upstreamCalls: Map<string, UpstreamCallTally>;
  /**
   * Work no client waits for (the mirror's sync): it spends only its share of each rate budget,
   * and waits while a client's request waits for the budget (see rate-budget.ts).
   */
  background?: boolean;
  /**
   * What the request allows of the mirror: the oldest sync (seconds ago) its reads may come from,
   * as its `@mirror(maxAgeSeconds:)` asked; null reads live. Set once its document is parsed.
   */
  mirrorMaxAgeSeconds: number | null;
  /** The providers whose reads the mirror served, and when their data was synced (the response's `extensions`). */
  mirrorReads: Map<string, string>;
}

export interface UpstreamCallTally {
  calls: number;
  durationMs: number;
}

const scopes = new AsyncLocalStorage<RequestScope>();

/** A scope for `timeoutMs` from now, ending early when `signal` (the client's request) aborts. */
export function requestScope(
  timeoutMs: number,
  signal?: AbortSignal,
  requestId: string | null = null,
): RequestScope {
  const timeout = AbortSignal.timeout(timeoutMs);
  return {
    signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
    deadlineAt: Date.now() + timeoutMs,
    requestId,
    upstreamCalls: new Map(),
    mirrorMaxAgeSeconds: null,
    mirrorReads: new Map(),
  };
}

export function runInScope<T>(scope: RequestScope, work: () => T): T {
  return scopes.run(scope, work);
}

/** The scope of the request this code runs for, if any (a start-up probe runs outside every one). */
export function activeScope(): RequestScope | undefined {
  return scopes.getStore();
}

/**
 * The scope of the GraphQL request this code runs for; outside any (a start-up probe), one of
 * `fallbackMs` from now.
 */
export function currentScope(fallbackMs: number): RequestScope {
  return activeScope() ?? requestScope(fallbackMs);
}
